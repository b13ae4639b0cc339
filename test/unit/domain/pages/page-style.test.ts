import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { PAGE_SECURITY_HEADERS, renderPage } from '../../../../functions/domain/pages/render-page';

const CONTEXT = {
  language: 'en',
  operatorName: 'X2 LLC',
  supportAddress: 'privacy@x2.kg',
  timeZone: 'Asia/Bishkek',
  selfPath: '/u/q7Z3xkP0aLmN4vB8',
} as const;

describe('PAGE_SECURITY_HEADERS', () => {
  it('allows by its hash exactly the style block that is in the page', () => {
    // Arrange
    const { html } = renderPage({ page: 'unsubscribe' }, CONTEXT);
    const style = html.match(/<style>([\s\S]*?)<\/style>/)?.[1];

    // Act
    const hash = createHash('sha256')
      .update(style ?? '', 'utf8')
      .digest('base64');

    // Assert
    expect(style).toBeDefined();
    expect(PAGE_SECURITY_HEADERS['Content-Security-Policy']).toContain(`style-src 'sha256-${hash}';`);
  });

  it('refuses every other source, framing, foreign form targets and base changes', () => {
    expect(PAGE_SECURITY_HEADERS['Content-Security-Policy']).toMatch(
      /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]{43}='; form-action 'self'; frame-ancestors 'none'; base-uri 'none'$/,
    );
  });

  it('sets HSTS, no referrer, nosniff, no caching, UTF-8 HTML, no framing and an isolated opener', () => {
    const { 'Content-Security-Policy': _csp, ...others } = PAGE_SECURITY_HEADERS;

    expect(others).toEqual({
      'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
      'Referrer-Policy': 'no-referrer',
      'X-Content-Type-Options': 'nosniff',
      'Cache-Control': 'no-store',
      'Content-Type': 'text/html; charset=utf-8',
      'X-Frame-Options': 'DENY',
      'Cross-Origin-Opener-Policy': 'same-origin',
    });
  });

  it('cannot be changed by a caller', () => {
    expect(Object.isFrozen(PAGE_SECURITY_HEADERS)).toBe(true);
  });
});
