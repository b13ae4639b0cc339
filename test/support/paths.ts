/** Where the tests find the project and their data, wherever a test file sits in test/. */
import { join, resolve } from 'node:path';

export const PROJECT_ROOT = resolve(import.meta.dirname, '..', '..');
export const MAIL_FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'mail');
export const EVENT_FIXTURES = join(PROJECT_ROOT, 'test', 'fixtures', 'events');
/** Real mail written by other software, kept beside the project (override with MAKUL_MAIL_CORPUS). */
export const MAIL_CORPUS =
  process.env.MAKUL_MAIL_CORPUS ?? join(PROJECT_ROOT, '..', 'shared', 'corpus', 'real-world');
