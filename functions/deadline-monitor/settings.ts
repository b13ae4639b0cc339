/**
 * The deadline monitor's one setting of its own, beside the contract every function shares
 * (../shared/config.ts): the local hour from which the day's digest may go out. Written by the stack
 * (lib/deadline-monitor.ts) and read at cold start here, with an error naming the setting.
 */
import { DEFAULT_DIGEST_LOCAL_HOUR } from '../app/monitor-deadlines';

/** The function's name in logs and metrics (the EMF `service` dimension the alarms read). */
export const FUNCTION_NAME = 'deadline-monitor';

/** Local hour (0–23, the jurisdiction's zone) from which the daily digest goes out. */
export const DIGEST_LOCAL_HOUR_SETTING = 'DEADLINE_DIGEST_LOCAL_HOUR';

function isHour(hour: number): boolean {
  return Number.isInteger(hour) && hour >= 0 && hour <= 23;
}

/** The environment entry the stack adds to the monitor's function. */
export function digestHourEnvironment(hour: number = DEFAULT_DIGEST_LOCAL_HOUR): Record<string, string> {
  if (!isHour(hour))
    throw new Error(`the digest's local hour must be a whole number from 0 to 23, got ${hour}`);
  return { [DIGEST_LOCAL_HOUR_SETTING]: String(hour) };
}

/** The configured hour; the default when unset. */
export function readDigestLocalHour(environment: NodeJS.ProcessEnv): number {
  const value = environment[DIGEST_LOCAL_HOUR_SETTING];
  if (value === undefined || value === '') return DEFAULT_DIGEST_LOCAL_HOUR;
  const hour = Number(value);
  if (!/^\d{1,2}$/.test(value) || !isHour(hour)) {
    throw new Error(
      `deadline-monitor configuration is invalid:\n${DIGEST_LOCAL_HOUR_SETTING}: a whole number from 0 to 23`,
    );
  }
  return hour;
}
