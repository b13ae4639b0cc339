/**
 * Operator and jurisdiction profiles: who runs a deployment, where mail arrives, which law sets the
 * deadlines. Validated with the same schema at synth time and at Lambda start (the operators file and
 * the function configuration in functions/shared/), so a bad profile fails early with the field's path.
 *
 * zod/mini rather than zod: the full build adds ~450 KB to the Lambda bundle (issue: ≤ 550 KB in all).
 */
import * as z from 'zod/mini';
import { LANGUAGES, REQUEST_KINDS } from '../requests/request-kinds';

const email = z.pipe(
  z.email(),
  z.transform((address: string) => address.toLowerCase()),
);
const isoDate = z.iso.date();
const nonEmpty = z.string().check(z.minLength(1));

export const deadlineSchema = z.strictObject({
  amount: z.int().check(z.nonnegative()),
  unit: z.enum(['working-days', 'calendar-days', 'hours']),
  /** The article of law the deadline comes from, shown to ops and in the register export. */
  source: nonEmpty,
});
export type Deadline = z.infer<typeof deadlineSchema>;

export const jurisdictionSchema = z.strictObject({
  id: z.string().check(z.regex(/^[A-Z]{2}-[A-Za-z0-9-]+$/, 'looks like "RU-152FZ" or "KG-58"')),
  name: nonEmpty,
  /** IANA zone whose calendar days and working days count for deadlines. */
  timeZone: nonEmpty,
  /** ISO weekday numbers (1 = Monday … 7 = Sunday) that are days off. */
  weekendDays: z._default(z.array(z.int().check(z.minimum(1), z.maximum(7))), [6, 7]),
  /** Public holidays and transferred days off (YYYY-MM-DD); the full calendar is kept as data. */
  holidays: z._default(z.array(isoDate), []),
  /** Transferred working days that fall on a weekend (YYYY-MM-DD). */
  workingWeekends: z._default(z.array(isoDate), []),
  /** A record keyed by an enum is exhaustive in zod 4: every kind must have its deadline. */
  deadlines: z.record(z.enum(REQUEST_KINDS), deadlineSchema),
});
export type Jurisdiction = z.infer<typeof jurisdictionSchema>;

export const operatorSchema = z.strictObject({
  /** Short id, used in stack and resource names: lower-case letters, digits and dashes. */
  id: z
    .string()
    .check(z.regex(/^[a-z][a-z0-9-]{1,30}$/, 'lower-case letters, digits and dashes, 2–31 characters')),
  /** The operator's name as subjects know it, per language (used in replies). */
  displayName: z.strictObject({ ky: nonEmpty, ru: nonEmpty, en: nonEmpty }),
  jurisdiction: nonEmpty,
  /** AWS account and region to deploy to; region must offer SES email receiving. */
  env: z.strictObject({
    account: z.optional(z.string().check(z.regex(/^\d{12}$/, 'a 12-digit AWS account id'))),
    region: nonEmpty,
  }),
  /** Support addresses named in the privacy policy; each gets a receipt rule. Replies come from the one the person wrote to. */
  supportAddresses: z.array(email).check(z.minLength(1)),
  /** Other addresses of the operator: mail from them is never answered (loop guard). */
  ownAddresses: z._default(z.array(email), []),
  /** The human support inbox that receives every message the machine could not classify. */
  humanSupportInbox: email,
  /** The data-protection officer: alarms go here. */
  dpoEmail: email,
  defaultLanguage: z.enum(LANGUAGES),
  /** Personal data fields the operator holds (policy 000 §3.2), listed in access and erasure work. */
  dataHeld: z.array(nonEmpty).check(z.minLength(1)),
  /**
   * Base URL of the public pages (confirmation, "this was not me", one-click unsubscribe): links are
   * `<confirmBaseUrl>/c/<token>` and `<confirmBaseUrl>/u/<token>`. https, except on the loopback
   * addresses the local stack serves on (http://127.0.0.1:3000).
   */
  confirmBaseUrl: z
    .url({ protocol: /^https?$/ })
    .check(
      z.refine(
        (url) => url.startsWith('https://') || /^http:\/\/(127\.0\.0\.1|localhost)(:\d+)?(\/|$)/.test(url),
        'must be https (http only on 127.0.0.1 or localhost, for the local stack)',
      ),
    ),
  /**
   * The public pages' own domain in AWS (API Gateway custom domain), its ACM certificate in the same
   * region, and an optional WAF web ACL to attach. Without it the pages answer on the API's default
   * URL, and confirmBaseUrl must name that (or a CDN in front of it).
   */
  publicPages: z.optional(
    z.strictObject({
      domainName: nonEmpty,
      certificateArn: z.string().check(z.regex(/^arn:aws[a-z-]*:acm:/, 'an ACM certificate ARN')),
      webAclArn: z.optional(z.string().check(z.regex(/^arn:aws[a-z-]*:wafv2:/, 'a WAFv2 web ACL ARN'))),
    }),
  ),
  /**
   * Data the operator holds beyond the standard fields (name parts, phone, email, birth date) that a
   * subject may ask to update or to stop disseminating, with the labels people write before a value
   * ("Номер договора: …") in each language, and its name as the pages show it.
   */
  ownDataFields: z._default(
    z.array(
      z.strictObject({
        id: z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes')),
        name: z.strictObject({ ky: nonEmpty, ru: nonEmpty, en: nonEmpty }),
        labels: z.strictObject({
          ky: z.array(nonEmpty).check(z.minLength(1)),
          ru: z.array(nonEmpty).check(z.minLength(1)),
          en: z.array(nonEmpty).check(z.minLength(1)),
        }),
      }),
    ),
    [],
  ),
  /**
   * Minimum days raw mail is kept in S3. The stack keeps it longer when the queues can still hold a
   * notification pointing to it (inbound queue + dead-letter queue retention + 1 day, 19 days today), so a
   * message redriven on its last DLQ day still finds its mail; the stack output RawMailRetentionDays says
   * what applies. A floor rather than a validated value: the lifetime depends on the queues' retention,
   * which the profile does not know.
   */
  rawMailRetentionDays: z._default(z.int().check(z.minimum(1), z.maximum(90)), 7),
  verificationTokenHours: z._default(z.int().check(z.minimum(1), z.maximum(24 * 14)), 72),
  /**
   * RFC 3834: an auto-responder must not flood one mailbox. Counted per canonical mailbox (sub-address
   * tags removed: `ivan+1@` and `ivan+2@` are one mailbox), per local day; a reply over it waits.
   */
  maxRepliesPerAddressPerDay: z._default(z.int().check(z.minimum(1), z.maximum(100)), 10),
  /**
   * All replies in one hour, whoever they go to: a flood of forged requests must not turn makul into a
   * mail cannon or burn the SES sending reputation. A reply over it waits for the next hour (alarmed).
   */
  maxRepliesPerHour: z._default(z.int().check(z.minimum(1), z.maximum(100_000)), 300),
  /** Forwards to the human support inbox in one hour: the same protection for the staff's inbox. */
  maxForwardsPerHour: z._default(z.int().check(z.minimum(1), z.maximum(100_000)), 100),
  /**
   * Language of the notes makul writes to staff (forwards to the human inbox).
   * @default the operator's defaultLanguage
   */
  staffLanguage: z.optional(z.enum(LANGUAGES)),
  /**
   * What the status API answers about marketing for an address makul has no record of. makul knows
   * opt-outs, not consents: "allowed" (the default) when consent is collected elsewhere and checked
   * there; "suppressed" for an operator who must not mail an address without consent it cannot see.
   */
  unknownAddressMarketing: z._default(z.enum(['allowed', 'suppressed']), 'allowed'),
  /**
   * Optional: the operator sends marketing through an SES v2 contact list. An opt-out (unsubscribe,
   * withdrawal, erasure) then also sets the contact's preference: OPT_OUT for each topic named, or
   * "unsubscribe from all" when no topics are named. Off unless set. With it, an unsubscribe's sealed
   * address (one-click ones included) stays in the register until the sync has used it
   * (domain/requests/contact-retention.ts).
   */
  sesContactList: z.optional(
    z.strictObject({
      name: nonEmpty,
      topics: z.optional(z.array(nonEmpty).check(z.minLength(1))),
    }),
  ),
  /** Mail larger than this is recorded and forwarded to humans, not parsed (postal-mime bounds depth, not breadth). */
  maxMessageBytes: z._default(
    z.int().check(z.minimum(64 * 1024), z.maximum(40 * 1024 * 1024)),
    10 * 1024 * 1024,
  ),
});
export type OperatorProfile = z.infer<typeof operatorSchema>;

export const operatorsFileSchema = z
  .strictObject({
    jurisdictions: z.array(jurisdictionSchema).check(z.minLength(1)),
    operators: z.array(operatorSchema).check(z.minLength(1)),
  })
  .check(
    z.superRefine((file, ctx) => {
      const known = new Set(file.jurisdictions.map((j) => j.id));
      const seenIds = new Set<string>();
      file.operators.forEach((operator, index) => {
        if (!known.has(operator.jurisdiction)) {
          ctx.addIssue({
            code: 'custom',
            path: ['operators', index, 'jurisdiction'],
            message: `unknown jurisdiction "${operator.jurisdiction}"; known: ${[...known].join(', ')}`,
          });
        }
        if (seenIds.has(operator.id)) {
          ctx.addIssue({
            code: 'custom',
            path: ['operators', index, 'id'],
            message: `duplicate operator id "${operator.id}"`,
          });
        }
        seenIds.add(operator.id);
      });
    }),
  );
export type OperatorsFile = z.infer<typeof operatorsFileSchema>;

/** An operator together with its jurisdiction: everything one deployment needs to decide. */
export const deploymentProfileSchema = z.strictObject({
  operator: operatorSchema,
  jurisdiction: jurisdictionSchema,
});
export type DeploymentProfile = z.infer<typeof deploymentProfileSchema>;
