/**
 * Operator and jurisdiction profiles: who runs a deployment, where mail arrives, which law sets the
 * deadlines. Validated with the same schema at synth time (bin/app.ts) and at Lambda start
 * (functions/inbound-email/config.ts), so a bad profile fails early with the field's path in the error.
 */
import { z } from 'zod';
import { LANGUAGES, REQUEST_KINDS } from './request-kinds';

const email = z.email().transform((address) => address.toLowerCase());
const isoDate = z.iso.date();

export const deadlineSchema = z
  .object({
    amount: z.number().int().nonnegative(),
    unit: z.enum(['working-days', 'calendar-days', 'hours']),
    /** The article of law the deadline comes from, shown to ops and in the register export. */
    source: z.string().min(1),
  })
  .strict();
export type Deadline = z.infer<typeof deadlineSchema>;

export const jurisdictionSchema = z
  .object({
    id: z.string().regex(/^[A-Z]{2}-[A-Za-z0-9-]+$/, 'looks like "RU-152FZ" or "KG-58"'),
    name: z.string().min(1),
    /** IANA zone whose calendar days and working days count for deadlines. */
    timeZone: z.string().min(1),
    /** ISO weekday numbers (1 = Monday … 7 = Sunday) that are days off. */
    weekendDays: z.array(z.number().int().min(1).max(7)).default([6, 7]),
    /** Public holidays and transferred days off (YYYY-MM-DD); the full calendar is kept as data. */
    holidays: z.array(isoDate).default([]),
    /** Transferred working days that fall on a weekend (YYYY-MM-DD). */
    workingWeekends: z.array(isoDate).default([]),
    deadlines: z.record(z.enum(REQUEST_KINDS), deadlineSchema).refine(
      (deadlines) => REQUEST_KINDS.every((kind) => kind in deadlines),
      { message: `a deadline is needed for every kind: ${REQUEST_KINDS.join(', ')}` },
    ),
  })
  .strict();
export type Jurisdiction = z.infer<typeof jurisdictionSchema>;

export const operatorSchema = z
  .object({
    /** Short id, used in stack and resource names: lower-case letters, digits and dashes. */
    id: z.string().regex(/^[a-z][a-z0-9-]{1,30}$/, 'lower-case letters, digits and dashes, 2–31 characters'),
    /** The operator's name as subjects know it, per language (used in replies). */
    displayName: z.object({ ky: z.string().min(1), ru: z.string().min(1), en: z.string().min(1) }).strict(),
    jurisdiction: z.string().min(1),
    /** AWS account and region to deploy to; region must offer SES email receiving. */
    env: z.object({ account: z.string().regex(/^\d{12}$/).optional(), region: z.string().min(1) }).strict(),
    /** Support addresses named in the privacy policy; each gets a receipt rule. Replies come from the first. */
    supportAddresses: z.array(email).min(1),
    /** Other addresses of the operator: mail from them is never answered (loop guard). */
    ownAddresses: z.array(email).default([]),
    /** The human support inbox that receives every message the machine could not classify. */
    humanSupportInbox: email,
    /** The data-protection officer: alarms go here. */
    dpoEmail: email,
    defaultLanguage: z.enum(LANGUAGES),
    /** Personal data fields the operator holds (policy 000 §3.2), listed in access and erasure work. */
    dataHeld: z.array(z.string().min(1)).min(1),
    /** Base URL of the public confirmation pages; tokens are appended as `#token=` (never sent to logs). */
    confirmBaseUrl: z.url({ protocol: /^https$/ }),
    rawMailRetentionDays: z.number().int().min(1).max(90).default(7),
    verificationTokenHours: z.number().int().min(1).max(24 * 14).default(72),
    maxRepliesPerAddressPerDay: z.number().int().min(1).max(100).default(10),
    maxMessageBytes: z
      .number()
      .int()
      .min(64 * 1024)
      .max(40 * 1024 * 1024)
      .default(10 * 1024 * 1024),
  })
  .strict();
export type OperatorProfile = z.infer<typeof operatorSchema>;

export const operatorsFileSchema = z
  .object({
    jurisdictions: z.array(jurisdictionSchema).min(1),
    operators: z.array(operatorSchema).min(1),
  })
  .strict()
  .superRefine((file, ctx) => {
    const known = new Set(file.jurisdictions.map((j) => j.id));
    file.operators.forEach((operator, index) => {
      if (!known.has(operator.jurisdiction)) {
        ctx.addIssue({
          code: 'custom',
          path: ['operators', index, 'jurisdiction'],
          message: `unknown jurisdiction "${operator.jurisdiction}"; known: ${[...known].join(', ')}`,
        });
      }
    });
    const ids = file.operators.map((o) => o.id);
    ids.forEach((id, index) => {
      if (ids.indexOf(id) !== index) {
        ctx.addIssue({ code: 'custom', path: ['operators', index, 'id'], message: `duplicate operator id "${id}"` });
      }
    });
  });
export type OperatorsFile = z.infer<typeof operatorsFileSchema>;

/** An operator together with its jurisdiction: everything one deployment needs to decide. */
export interface DeploymentProfile {
  readonly operator: OperatorProfile;
  readonly jurisdiction: Jurisdiction;
}

export const deploymentProfileSchema = z.object({ operator: operatorSchema, jurisdiction: jurisdictionSchema });

/** Formats zod issues as one line per bad field, e.g. `operators.0.dpoEmail: Invalid email address`. */
export function describeProfileErrors(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`)
    .join('\n');
}

export function parseOperatorsFile(data: unknown, sourceName: string): OperatorsFile {
  const result = operatorsFileSchema.safeParse(data);
  if (!result.success) {
    throw new Error(`${sourceName} is not a valid operators file:\n${describeProfileErrors(result.error)}`);
  }
  return result.data;
}

export function deploymentProfiles(file: OperatorsFile): DeploymentProfile[] {
  return file.operators.map((operator) => {
    const jurisdiction = file.jurisdictions.find((j) => j.id === operator.jurisdiction);
    if (!jurisdiction) throw new Error(`operator ${operator.id}: unknown jurisdiction ${operator.jurisdiction}`);
    return { operator, jurisdiction };
  });
}
