import { afterEach, describe, expect, it, vi } from 'vitest';
import { EmfMetrics } from '../../../../functions/adapters/cloudwatch/emf-metrics';

afterEach(() => {
  vi.restoreAllMocks();
});

describe('EmfMetrics', () => {
  it('writes each metric with dimensions as its own EMF document, and no warning for the empty shared set', () => {
    const logged: string[] = [];
    const warned: unknown[] = [];
    // Powertools writes EMF through a console of its own on stdout.
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    });
    vi.spyOn(console, 'warn').mockImplementation((...args: unknown[]) => warned.push(args));
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      warned.push(String(chunk));
      return true;
    });
    const emf = new EmfMetrics('pages', 'x2');

    emf.count('PagesShown', { page: 'confirm' });
    emf.metrics.publishStoredMetrics();

    expect(warned).toEqual([]);
    const documents = logged
      .flatMap((chunk) => chunk.split('\n').filter(Boolean))
      .map((line) => JSON.parse(line));
    expect(documents).toHaveLength(1);
    expect(documents[0]).toMatchObject({ PagesShown: 1, page: 'confirm', operator: 'x2', service: 'pages' });
  });
});
