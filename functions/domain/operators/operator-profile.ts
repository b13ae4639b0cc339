/**
 * Operator and jurisdiction profiles: who runs a deployment, where mail arrives, which law sets the
 * deadlines. Validated with the same schema at synth time and at Lambda start (the operators file and
 * the function configuration in functions/shared/), so a bad profile fails early with the field's path.
 *
 * zod/mini rather than zod: the full build adds ~450 KB to the Lambda bundle (issue: ≤ 550 KB in all).
 */
import * as z from 'zod/mini';
import { FULFILMENT_KINDS, LANGUAGES, REQUEST_KINDS } from '../requests/request-kinds';

const email = z.pipe(
  z.email(),
  z.transform((address: string) => address.toLowerCase()),
);
const nonEmpty = z.string().check(z.minLength(1));
/** A text people read, in each language makul answers in. */
const inEveryLanguage = z.strictObject({ ky: nonEmpty, ru: nonEmpty, en: nonEmpty });
const shortId = z.string().check(z.regex(/^[a-z][a-z0-9-]{1,40}$/, 'lower-case letters, digits and dashes'));

const termSchema = {
  amount: z.int().check(z.nonnegative()),
  unit: z.enum(['working-days', 'calendar-days', 'hours']),
  /** The article of law the term comes from, shown to ops and in the register export. */
  source: nonEmpty,
};

export const deadlineSchema = z.strictObject({
  ...termSchema,
  /**
   * How far the law lets the operator extend the term, counted from the original due date, and on what
   * condition (RU 152-FZ art. 14 part 3, 20 part 1: access, 5 working days with a reasoned notice). One
   * extension at most. Absent: the term cannot be extended.
   */
  extension: z.optional(z.strictObject(termSchema)),
});
export type Deadline = z.infer<typeof deadlineSchema>;

/** `MM-DD`: a day of a calendar year (the year is the key it is listed under). */
const monthDay = z.string().check(z.regex(/^(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, 'a day as MM-DD'));

/**
 * One year of a country's official working-day calendar, as the functions carry it: the loader reads
 * config/calendars/<country>/<year>.json, which also names each day and its decree, and keeps the dates
 * only, because Lambda's environment has 4 KB for everything (the CLI reads the names from the files).
 */
export const calendarYearSchema = z.strictObject({
  /** Public holidays (non-working by law), weekend ones included. */
  holidays: z._default(z.array(monthDay), []),
  /** Weekdays off because a day off was moved to them (by decree, or a holiday falling on a weekend). */
  movedDaysOff: z._default(z.array(monthDay), []),
  /** Saturdays and Sundays that are working days by decree. */
  workingWeekends: z._default(z.array(monthDay), []),
  /**
   * Some days of the year could not be verified (a movable feast not yet dated): the year is counted
   * with what is known (each unknown day off can only make a due date earlier) and is warned about like
   * a missing one.
   */
  incomplete: z.optional(z.boolean()),
});
export type CalendarYear = z.infer<typeof calendarYearSchema>;

export const jurisdictionSchema = z.strictObject({
  /** `RU-152FZ`, `KG-58`, `GENERIC`: capitals, digits and dashes. */
  id: z
    .string()
    .check(z.regex(/^[A-Z][A-Z0-9]*(-[A-Za-z0-9]+)*$/, 'looks like "RU-152FZ", "KG-58" or "GENERIC"')),
  name: nonEmpty,
  /**
   * ISO 3166 country whose official working-day calendar counts (config/calendars/<country>/). Absent
   * for a profile with no official calendar (GENERIC): weekends are then the only days off, by design.
   */
  country: z.optional(z.string().check(z.regex(/^[A-Z]{2}$/, 'a two-letter country code'))),
  /** IANA zone whose calendar days and working days count for deadlines. */
  timeZone: nonEmpty,
  /** ISO weekday numbers (1 = Monday … 7 = Sunday) that are days off. */
  weekendDays: z._default(z.array(z.int().check(z.minimum(1), z.maximum(7))), [6, 7]),
  /**
   * The country's calendar by year (`"2026": {…}`), filled by the loader from config/calendars. A year
   * missing here is counted with weekends only, which makes a due date earlier rather than later, and
   * is warned about and alarmed (domain/requests/deadlines.ts).
   */
  calendar: z._default(z.record(z.string().check(z.regex(/^\d{4}$/, 'a year')), calendarYearSchema), {}),
  /**
   * A term counted in days whose last day is a day off: `next-working-day` moves it to the next working
   * day (RU Civil Code art. 193, KG Civil Code); `keep` keeps the earlier date (a stricter operator's
   * choice, set in the operator profile as dueDateOnDayOff).
   */
  termEndingOnDayOff: z._default(
    z.strictObject({ rule: z.enum(['next-working-day', 'keep']), source: nonEmpty }),
    { rule: 'keep', source: 'no rule stated: the due date is kept as counted' },
  ),
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
  /**
   * The categories of personal data the operator holds (policy 000 §3.2), each named in every language:
   * the access report lists them, data systems name the ones they hold, destruction acts the ones
   * destroyed.
   */
  dataHeld: z.array(z.strictObject({ id: shortId, name: inEveryLanguage })).check(z.minLength(1)),
  /**
   * The operator as the law knows it, for destruction acts (Roskomnadzor order No. 179): the registered
   * name and address.
   */
  legalEntity: z.strictObject({ name: nonEmpty, address: nonEmpty }),
  /**
   * The operator's systems that hold personal data (player accounts, CRM, the marketing platform, the
   * helpdesk). Each gets a fulfilment task for every request of the kinds it is concerned with, and the
   * request completes only when every one has answered (domain/fulfilment/tasks.ts).
   */
  dataSystems: z._default(
    z.array(
      z.strictObject({
        id: shortId,
        /** As the access report and destruction acts name it. */
        name: inEveryLanguage,
        /** What it does with the data, for the access report ("to run the lottery games"). */
        purpose: inEveryLanguage,
        /** Ids of the dataHeld categories it holds. */
        categories: z.array(shortId).check(z.minLength(1)),
        /**
         * `event`: it gets an EventBridge event (and its own queue) and answers through the systems API;
         * `person`: someone answers for it with `makul tasks complete|refuse`.
         */
        toldBy: z.enum(['event', 'person']),
        /** The kinds it carries out. @default every kind but unsubscribe */
        kinds: z._default(z.array(z.enum(FULFILMENT_KINDS)), [...FULFILMENT_KINDS]),
        /** The IAM role it calls the systems API with; a report from another caller is refused. */
        callerRoleArn: z.optional(
          z.string().check(z.regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, 'an IAM role ARN')),
        ),
      }),
    ),
    [],
  ),
  /**
   * Whether a destruction act names the subject's address besides the keyed hash (order No. 179 allows
   * "other information identifying the subject"; off by default: the act then holds no personal data).
   */
  destructionActNamesAddress: z._default(z.boolean(), false),
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
  /**
   * A term counted in days that ends on a day off: the jurisdiction's rule applies (Civil Code: the next
   * working day) unless the operator keeps the earlier date (`keep`), acting by the day the term ends.
   */
  dueDateOnDayOff: z.optional(z.enum(['next-working-day', 'keep'])),
  /**
   * The deadline monitor warns about an open request this many working days before it is due (and
   * alarms louder once it is overdue).
   */
  dueSoonWorkingDays: z._default(z.int().check(z.minimum(0), z.maximum(30)), 2),
  /** Mail larger than this is recorded and forwarded to humans, not parsed (postal-mime bounds depth, not breadth). */
  maxMessageBytes: z._default(
    z.int().check(z.minimum(64 * 1024), z.maximum(40 * 1024 * 1024)),
    10 * 1024 * 1024,
  ),
});
export type OperatorProfile = z.infer<typeof operatorSchema>;

/**
 * An operators file: the operators, and any jurisdiction profiles of its own. `builtInJurisdictions`
 * are the ids of makul's profiles (config/jurisdictions) an operator may also name; the file's own
 * replace one of the same id.
 */
export function operatorsFileSchemaWith(builtInJurisdictions: readonly string[]) {
  return z
    .strictObject({
      jurisdictions: z._default(z.array(jurisdictionSchema), []),
      operators: z.array(operatorSchema).check(z.minLength(1)),
    })
    .check(
      z.superRefine((file, ctx) => {
        const known = new Set([...builtInJurisdictions, ...file.jurisdictions.map((j) => j.id)]);
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
          const categories = new Set(operator.dataHeld.map((category) => category.id));
          const systems = new Set<string>();
          operator.dataSystems.forEach((system, systemIndex) => {
            const path = ['operators', index, 'dataSystems', systemIndex];
            if (systems.has(system.id))
              ctx.addIssue({
                code: 'custom',
                path: [...path, 'id'],
                message: `duplicate data system "${system.id}"`,
              });
            systems.add(system.id);
            system.categories.forEach((category, categoryIndex) => {
              if (!categories.has(category))
                ctx.addIssue({
                  code: 'custom',
                  path: [...path, 'categories', categoryIndex],
                  message: `"${category}" is not in dataHeld; known: ${[...categories].join(', ')}`,
                });
            });
          });
        });
      }),
    );
}
export type OperatorsFile = z.infer<ReturnType<typeof operatorsFileSchemaWith>>;

/** An operator together with its jurisdiction: everything one deployment needs to decide. */
export const deploymentProfileSchema = z.strictObject({
  operator: operatorSchema,
  jurisdiction: jurisdictionSchema,
});
export type DeploymentProfile = z.infer<typeof deploymentProfileSchema>;
