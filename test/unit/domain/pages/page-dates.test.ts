import { describe, expect, it } from 'vitest';
import { formatPageDate } from '../../../../functions/domain/pages/page-dates';
import { formatReplyDate } from '../../../../functions/domain/replies/reply-templates';
import { LANGUAGES } from '../../../../functions/domain/requests/request-kinds';

describe('formatPageDate', () => {
  it('writes every date exactly as the mails do, in every language and zone', () => {
    const dates = [
      new Date('2026-03-05T21:30:00Z'),
      new Date('2026-12-31T23:59:00Z'),
      new Date('2027-01-01T00:00:00Z'),
      new Date('2026-07-15T09:05:00Z'),
    ];
    for (const timeZone of ['Asia/Bishkek', 'Europe/Moscow', 'UTC', 'America/New_York']) {
      for (const language of LANGUAGES) {
        for (const date of dates) {
          expect(formatPageDate(date, language, timeZone)).toBe(formatReplyDate(date, language, timeZone));
        }
      }
    }
  });

  it('keeps working when more zones are asked for than it caches', () => {
    const zones = Intl.supportedValuesOf('timeZone').slice(0, 80);
    const date = new Date('2026-03-05T21:30:00Z');

    for (const timeZone of zones) {
      expect(formatPageDate(date, 'en', timeZone)).toBe(formatReplyDate(date, 'en', timeZone));
    }
  });
});
