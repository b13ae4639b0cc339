/**
 * Every text a data subject reads in makul's automatic replies, in Kyrgyz, Russian and English.
 *
 * Texts are functions in typed phrasebooks rather than strings with placeholders: the compiler then
 * refuses a language or a kind without its text, and no `{name}` can be left unfilled.
 *
 * Grammar rule for translators: the operator's name is only ever used as the grammatical subject, in
 * the nominative, and past-tense sentences are passive. Russian past verbs agree with the gender of
 * their subject and Kyrgyz suffixes follow vowel harmony; neither can be derived from an arbitrary
 * company name, so the texts never put the name where it would need an ending.
 *
 * Replies never quote the original message (RFC 3834 §3.1.8: an auto-reply that echoes content can
 * be abused to relay spam, and the original may hold personal data of others).
 */
import type { Language, RequestKind } from '../requests/request-kinds';
import type { ReplyOutcome } from '../requests/request-policies';
import { WILL_DO } from './will-do';

export interface ReplyInput {
  readonly kind: RequestKind;
  readonly language: Language;
  readonly outcome: ReplyOutcome;
  /** E.g. "MK-7H3K9QF2XA": shown so the person can refer to it. */
  readonly requestId: string;
  /** The operator's name, already in the reply's language. */
  readonly operatorName: string;
  readonly receivedAt: Date;
  /** Legal deadline; for unsubscribe it equals receivedAt. */
  readonly dueAt: Date;
  /** IANA time zone the dates are shown in, e.g. "Asia/Bishkek". */
  readonly timeZone: string;
  /** Required for 'verify' (the confirm page) and 'accepted' (the "this was not me" page). */
  readonly actionUrl?: string;
  /** Required for 'verify': when the link stops working. Shown for 'accepted' when given. */
  readonly actionExpiresAt?: Date;
}

export interface RenderedReply {
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** Locales for Intl date formatting; Node's full ICU has Kyrgyz data. */
const DATE_LOCALES: Readonly<Record<Language, string>> = { ky: 'ky-KG', ru: 'ru-RU', en: 'en-GB' };

const KIND_NAMES: Readonly<Record<RequestKind, Readonly<Record<Language, string>>>> = {
  unsubscribe: {
    ky: 'Жарнамалык билдирүүлөрдөн баш тартуу',
    ru: 'Отказ от рекламных рассылок',
    en: 'Unsubscribe from marketing',
  },
  'update-data': {
    ky: 'Жеке маалыматтарды актуалдаштыруу',
    ru: 'Актуализация персональных данных',
    en: 'Update of personal data',
  },
  'withdraw-consent': {
    ky: 'Жеке маалыматтарды иштеп чыгууга макулдукту кайтарып алуу',
    ru: 'Отзыв согласия на обработку персональных данных',
    en: 'Withdrawal of consent to processing of personal data',
  },
  access: {
    ky: 'Жеке маалыматтар менен таанышуу',
    ru: 'Доступ к персональным данным',
    en: 'Access to personal data',
  },
  erasure: {
    ky: 'Жеке маалыматтарды жок кылуу',
    ru: 'Уничтожение персональных данных',
    en: 'Erasure of personal data',
  },
  restrict: {
    ky: 'Жеке маалыматтарды бөгөттөө',
    ru: 'Блокирование персональных данных',
    en: 'Restriction (blocking) of processing of personal data',
  },
  'stop-dissemination': {
    ky: 'Жеке маалыматтарды жайылтууну токтотуу',
    ru: 'Прекращение распространения персональных данных',
    en: 'Stop of dissemination of personal data',
  },
};

/** The human-readable name of each kind per language (used in replies, forwards and the CLI). */
export function kindName(kind: RequestKind, language: Language): string {
  return KIND_NAMES[kind][language];
}

const CONFIRM_BUTTON_LABELS: Readonly<Record<Language, string>> = {
  ky: 'Ырастоо',
  ru: 'Подтвердить',
  en: 'Confirm',
};

/**
 * The label of the button on the confirmation page. The verify reply tells the person to press it by
 * name, so the page must use this same label.
 */
export function confirmButtonLabel(language: Language): string {
  return CONFIRM_BUTTON_LABELS[language];
}

import type { KindSentence } from './will-do';

/** The texts of one language. Dates arrive already formatted. */
interface Phrasebook {
  readonly greeting: string;
  readonly subject: Readonly<Record<ReplyOutcome, (kind: string, requestId: string) => string>>;
  readonly received: (kind: string, receivedAt: string) => string;
  /** What has been done, per kind ('done'). */
  readonly done: Readonly<Record<RequestKind, KindSentence>>;
  /** What will be done, per kind ('verify' and 'accepted'). */
  readonly dueBy: (dueAt: string) => string;
  readonly verifyWhy: string;
  readonly verifyHow: (button: string) => string;
  readonly linkValidUntil: (expiresAt: string) => string;
  readonly afterConfirming: string;
  readonly ignoreIfNotYou: string;
  readonly acceptedWhy: string;
  readonly notMe: string;
  readonly requestNumber: (requestId: string) => string;
  readonly automatic: string;
}

const EN: Phrasebook = {
  greeting: 'Hello,',
  subject: {
    done: (kind, id) => `${kind}: done — ${id}`,
    verify: (kind, id) => `Please confirm your request: ${kind} — ${id}`,
    accepted: (kind, id) => `Request received: ${kind} — ${id}`,
  },
  received: (kind, at) => `We received your request “${kind}” on ${at}.`,
  done: {
    unsubscribe: (op) => `Done: ${op} will send you no more marketing messages.`,
    'update-data': () => 'Your personal data have been updated.',
    'withdraw-consent': () =>
      'Your consent to the processing of your personal data has been withdrawn, and processing based on it has stopped.',
    access: () => 'Information about your personal data and how they are processed has been sent to you.',
    erasure: () => 'Your personal data have been destroyed, except data that must be kept by law.',
    restrict: () => 'Your personal data have been blocked: their processing is paused.',
    'stop-dissemination': () => 'Dissemination of the personal data named in your message has stopped.',
  },
  dueBy: (at) => `This will be done no later than ${at}.`,
  verifyWhy: 'To protect your data, we act on this request only after you confirm that you sent it.',
  verifyHow: (button) => `Open the link below and press “${button}” on the page that opens:`,
  linkValidUntil: (at) => `The link is valid until ${at}.`,
  afterConfirming: 'Once you confirm:',
  ignoreIfNotYou: 'If you did not send this request, ignore this email and nothing will change.',
  acceptedWhy:
    'Your email was signed by your mail provider, so we have recorded the request without asking you to confirm it.',
  notMe: 'If this was not you, open this link:',
  requestNumber: (id) => `Request number: ${id}. Please quote it if you write to us about this request.`,
  automatic: 'This message was sent automatically.',
};

const RU: Phrasebook = {
  greeting: 'Здравствуйте!',
  subject: {
    done: (kind, id) => `${kind}: выполнено — ${id}`,
    verify: (kind, id) => `Подтвердите ваш запрос: ${kind} — ${id}`,
    accepted: (kind, id) => `Запрос принят: ${kind} — ${id}`,
  },
  received: (kind, at) => `Мы получили ваш запрос «${kind}» ${at}.`,
  done: {
    unsubscribe: (op) => `Готово: ${op} больше не будет присылать вам рекламные сообщения.`,
    'update-data': () => 'Ваши персональные данные актуализированы.',
    'withdraw-consent': () =>
      'Ваше согласие на обработку персональных данных отозвано, обработка на основании согласия прекращена.',
    access: () => 'Сведения о ваших персональных данных и об их обработке направлены вам.',
    erasure: () => 'Ваши персональные данные уничтожены, кроме тех, которые необходимо хранить по закону.',
    restrict: () => 'Ваши персональные данные заблокированы: их обработка приостановлена.',
    'stop-dissemination': () => 'Распространение персональных данных, указанных в вашем письме, прекращено.',
  },
  dueBy: (at) => `Срок выполнения — не позднее ${at}.`,
  verifyWhy:
    'Чтобы защитить ваши данные, мы выполним этот запрос только после того, как вы подтвердите, что отправили его.',
  verifyHow: (button) => `Откройте ссылку ниже и нажмите «${button}» на открывшейся странице:`,
  linkValidUntil: (at) => `Ссылка действительна до ${at}.`,
  afterConfirming: 'После подтверждения:',
  ignoreIfNotYou:
    'Если вы не отправляли этот запрос, просто не обращайте внимания на это письмо — ничего не изменится.',
  acceptedWhy:
    'Ваше письмо подписано вашим почтовым сервисом, поэтому запрос зарегистрирован без дополнительного подтверждения.',
  notMe: 'Если это были не вы, откройте эту ссылку:',
  requestNumber: (id) => `Номер запроса: ${id}. Укажите его, если будете писать нам по этому запросу.`,
  automatic: 'Это письмо отправлено автоматически.',
};

/**
 * Kyrgyz dates are given after a label ("Мөөнөтү: …") instead of inside a sentence: a date inside a
 * sentence would need a case ending ("5-мартка чейин") that cannot be attached to a formatted date.
 */
const KY: Phrasebook = {
  greeting: 'Саламатсызбы!',
  subject: {
    done: (kind, id) => `${kind}: аткарылды — ${id}`,
    verify: (kind, id) => `Суроо-талабыңызды ырастаңыз: ${kind} — ${id}`,
    accepted: (kind, id) => `Суроо-талап кабыл алынды: ${kind} — ${id}`,
  },
  received: (kind, at) => `«${kind}» суроо-талабыңыз алынды. Алынган убакыт: ${at}.`,
  done: {
    unsubscribe: (op) => `Даяр: ${op} мындан ары сизге жарнамалык билдирүүлөрдү жөнөтпөйт.`,
    'update-data': () => 'Жеке маалыматтарыңыз актуалдаштырылды.',
    'withdraw-consent': () =>
      'Жеке маалыматтарыңызды иштеп чыгууга берген макулдугуңуз кайтарылып алынды, макулдуктун негизинде аларды иштеп чыгуу токтотулду.',
    access: () => 'Жеке маалыматтарыңыз жана аларды иштеп чыгуу тууралуу маалымат сизге жөнөтүлдү.',
    erasure: () => 'Мыйзам боюнча сакталууга тийиш болгондордон башка жеке маалыматтарыңыз жок кылынды.',
    restrict: () => 'Жеке маалыматтарыңыз бөгөттөлдү: аларды иштеп чыгуу убактылуу токтотулду.',
    'stop-dissemination': () => 'Катыңызда көрсөтүлгөн жеке маалыматтарды жайылтуу токтотулду.',
  },
  dueBy: (at) => `Аткаруунун акыркы мөөнөтү: ${at}.`,
  verifyWhy:
    'Маалыматтарыңызды коргоо үчүн бул суроо-талапты аны сиз жөнөткөнүңүздү ырастагандан кийин гана аткарабыз.',
  verifyHow: (button) => `Төмөнкү шилтемени ачып, ачылган беттеги «${button}» баскычын басыңыз:`,
  linkValidUntil: (at) => `Шилтеменин жарактуулук мөөнөтү: ${at}.`,
  afterConfirming: 'Ырастагандан кийин:',
  ignoreIfNotYou: 'Эгер бул суроо-талапты сиз жөнөтпөсөңүз, бул катка көңүл бурбаңыз — эч нерсе өзгөрбөйт.',
  acceptedWhy:
    'Катыңыз почта кызматыңыз тарабынан кол коюлган, ошондуктан суроо-талап кошумча ырастоосуз катталды.',
  notMe: 'Эгер бул сиз болбосоңуз, бул шилтемени ачыңыз:',
  requestNumber: (id) =>
    `Суроо-талаптын номери: ${id}. Бул суроо-талап боюнча бизге жазсаңыз, ушул номерди көрсөтүңүз.`,
  automatic: 'Бул кат автоматтык түрдө жөнөтүлдү.',
};

const PHRASEBOOKS: Readonly<Record<Language, Phrasebook>> = { ky: KY, ru: RU, en: EN };

/**
 * A message is a list of blocks; a block is a paragraph (text and links) or a bulleted list of
 * paragraphs. Text and HTML are both made from it, so the two parts can never say different things.
 * Shared with notice-templates.ts and access-report.ts.
 */
export type Segment = { readonly text: string } | { readonly link: string };
export type Paragraph = readonly Segment[];
export interface BulletList {
  readonly items: readonly Paragraph[];
}
export type Block = Paragraph | BulletList;

/**
 * Day, month name, year, time and the zone's UTC offset ("5 March 2026 at 16:07 GMT+6"): the offset
 * matters because the person may live in another zone than the operator.
 */
export function formatReplyDate(date: Date, language: Language, timeZone: string): string {
  const key = `${language} ${timeZone}`;
  let formatter = dateFormatters.get(key);
  if (formatter === undefined) {
    formatter = new Intl.DateTimeFormat(DATE_LOCALES[language], {
      day: 'numeric',
      month: 'long',
      year: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      hourCycle: 'h23',
      timeZone,
      timeZoneName: 'short',
    });
    if (dateFormatters.size >= MAX_CACHED_FORMATTERS) dateFormatters.clear();
    dateFormatters.set(key, formatter);
  }
  return formatter.format(date);
}

/**
 * Building an Intl formatter costs about 1 ms (most of a page's time budget, a page shows up to three
 * dates); using a built one about 10 µs. Zones come from the operator's profile, so a handful at most;
 * the bound only guards against misuse.
 */
const MAX_CACHED_FORMATTERS = 64;
const dateFormatters = new Map<string, Intl.DateTimeFormat>();

/**
 * Only http(s) links go into a message: the URL ends up in an href, where `javascript:` or `data:` would
 * run in a webmail client. The URL is makul's own, so anything else is a bug, reported loudly.
 *
 * @param field the input's name for the URL, e.g. "actionUrl", named in the error
 * @param message what is being rendered, e.g. "a 'verify' reply", named in the error
 */
export function requireWebLink(url: string | undefined, field: string, message: string): string {
  if (url === undefined) throw new Error(`${capitalise(message)} needs ${field}`);
  let protocol: string;
  try {
    protocol = new URL(url).protocol;
  } catch {
    throw new Error(`The ${field} of ${message} is not a valid URL`);
  }
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new Error(`The ${field} of ${message} must be an http(s) URL`);
  }
  return url;
}

function capitalise(value: string): string {
  return value.charAt(0).toUpperCase() + value.slice(1);
}

function paragraphsFor(input: ReplyInput, book: Phrasebook): Paragraph[] {
  const date = (value: Date): string => formatReplyDate(value, input.language, input.timeZone);
  const name = kindName(input.kind, input.language);
  const operator = input.operatorName;
  const received: Paragraph = [{ text: book.received(name, date(input.receivedAt)) }];

  switch (input.outcome) {
    case 'done':
      return [received, [{ text: book.done[input.kind](operator) }]];
    case 'verify': {
      const link = requireWebLink(input.actionUrl, 'actionUrl', "a 'verify' reply");
      // A verify link without a stated expiry would leave the person guessing; the token always expires.
      if (input.actionExpiresAt === undefined) throw new Error("A 'verify' reply needs actionExpiresAt");
      return [
        received,
        [{ text: book.verifyWhy }],
        [{ text: book.verifyHow(confirmButtonLabel(input.language)) }],
        [{ link }],
        [{ text: book.linkValidUntil(date(input.actionExpiresAt)) }],
        [
          {
            text: `${book.afterConfirming} ${WILL_DO[input.language][input.kind](operator)} ${book.dueBy(date(input.dueAt))}`,
          },
        ],
        [{ text: book.ignoreIfNotYou }],
      ];
    }
    case 'accepted': {
      // Design rule: the mail for a risky request always offers "this was not me".
      const link = requireWebLink(input.actionUrl, 'actionUrl', "an 'accepted' reply");
      const notMe: Paragraph[] = [[{ text: book.notMe }], [{ link }]];
      if (input.actionExpiresAt !== undefined) {
        notMe.push([{ text: book.linkValidUntil(date(input.actionExpiresAt)) }]);
      }
      return [
        received,
        [{ text: book.acceptedWhy }],
        [{ text: `${WILL_DO[input.language][input.kind](operator)} ${book.dueBy(date(input.dueAt))}` }],
        ...notMe,
      ];
    }
  }
}

const HTML_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for both element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);
}

function segmentHtml(segment: Segment): string {
  if ('link' in segment) {
    const url = escapeHtml(segment.link);
    return `<a href="${url}">${url}</a>`;
  }
  return escapeHtml(segment.text);
}

function segmentText(segment: Segment): string {
  return 'link' in segment ? segment.link : segment.text;
}

function paragraphText(paragraph: Paragraph): string {
  return paragraph.map(segmentText).join('');
}

function paragraphHtml(paragraph: Paragraph): string {
  return paragraph.map(segmentHtml).join('');
}

function isList(block: Block): block is BulletList {
  return !Array.isArray(block);
}

function blockText(block: Block): string {
  if (isList(block)) return block.items.map((item) => `- ${paragraphText(item)}`).join('\n');
  return paragraphText(block as Paragraph);
}

function blockHtml(block: Block): string {
  if (isList(block))
    return `<ul>\n${block.items.map((item) => `<li>${paragraphHtml(item)}</li>`).join('\n')}\n</ul>`;
  return `<p>${paragraphHtml(block as Paragraph)}</p>`;
}

/**
 * Turns a subject line and blocks into the plain-text and HTML parts: blocks are separated by a blank
 * line in text, list items start with "- "; every piece of text is escaped in HTML.
 */
export function renderMessage(language: Language, subject: string, blocks: readonly Block[]): RenderedReply {
  const text = `${blocks.map(blockText).join('\n\n')}\n`;
  const body = blocks.map(blockHtml).join('\n');
  const html =
    `<!DOCTYPE html>\n<html lang="${language}">\n<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n` +
    `<body>\n${body}\n</body>\n</html>\n`;
  return { subject, text, html };
}

/** Renders the reply to a request in the subject's language. Throws when a required link is missing. */
export function renderReply(input: ReplyInput): RenderedReply {
  const book = PHRASEBOOKS[input.language];
  const paragraphs: Paragraph[] = [
    [{ text: book.greeting }],
    ...paragraphsFor(input, book),
    [{ text: book.requestNumber(input.requestId) }],
    [{ text: `${book.automatic} — ${input.operatorName}` }],
  ];
  // The subject names the kind and the id only: never the original subject (it is attacker-chosen
  // text, and echoing it would make makul a relay). Non-ASCII is left to SESv2 Simple content to encode.
  const subject = book.subject[input.outcome](kindName(input.kind, input.language), input.requestId);
  return renderMessage(input.language, subject, paragraphs);
}
