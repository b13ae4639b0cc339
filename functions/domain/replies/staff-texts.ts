/**
 * The words makul writes to the human support inbox when it forwards a message it could not handle:
 * why it was forwarded (short for the Subject, long for the note) and the note itself, in each
 * operator language. outbound-message.ts puts them into MIME; this file holds only the words, so they
 * can be read and reviewed for all three languages in one place.
 */
import type { Language } from '../requests/request-kinds';
import { formatReplyDate } from './reply-templates';

interface ReasonText {
  /** A few words for the Subject. */
  readonly short: string;
  /** What happened and what staff should do, for the note. */
  readonly long: string;
}

const REASONS: Readonly<Record<string, Readonly<Record<Language, ReasonText>>>> = {
  'no-tag': {
    en: {
      short: 'no tag recognised',
      long: 'The message has none of the subject phrases makul recognises (such as “unsubscribe” or “withdraw consent”), so it was not recorded as a request. Please read it and answer the person, or handle the request by hand if it is one.',
    },
    ru: {
      short: 'тема запроса не распознана',
      long: 'В письме нет ни одной из тем, которые makul распознаёт (например, «Отзыв согласия на обработку персональных данных»), поэтому оно не зарегистрировано как запрос. Прочитайте его и ответьте человеку или обработайте запрос вручную, если это запрос.',
    },
    ky: {
      short: 'суроо-талаптын белгиси табылган жок',
      long: 'Катта makul тааныган белгилердин бири да жок (мисалы, «Жеке маалыматтарды актуалдаштыруу»), ошондуктан ал суроо-талап катары катталган жок. Катты окуп, адамга жооп бериңиз же, эгер бул суроо-талап болсо, аны кол менен иштетиңиз.',
    },
  },
  'too-large': {
    en: {
      short: 'message too large',
      long: 'The message is larger than makul reads automatically, so nobody has looked at it yet. Please read it and handle it by hand.',
    },
    ru: {
      short: 'слишком большое письмо',
      long: 'Письмо больше того размера, который makul обрабатывает автоматически, поэтому его ещё никто не прочитал. Прочитайте его и обработайте вручную.',
    },
    ky: {
      short: 'кат өтө чоң',
      long: 'Кат makul автоматтык түрдө окуган өлчөмдөн чоң, ошондуктан аны азырынча эч ким окуган жок. Катты окуп, кол менен иштетиңиз.',
    },
  },
  unparseable: {
    en: {
      short: 'message could not be read',
      long: 'The structure of the message (MIME) could not be parsed. Please open it in a mail client and handle it by hand.',
    },
    ru: {
      short: 'письмо не удалось разобрать',
      long: 'Не удалось разобрать структуру письма (MIME). Откройте его в почтовой программе и обработайте вручную.',
    },
    ky: {
      short: 'катты окуу мүмкүн болгон жок',
      long: 'Каттын түзүлүшүн (MIME) талдоо мүмкүн болгон жок. Катты почта программасында ачып, кол менен иштетиңиз.',
    },
  },
  // too-complex:header-bytes, :header-fields, :encoded-words, :parts (../mail/mime-limits.ts)
  'too-complex': {
    en: {
      short: 'message too complex to read automatically',
      long: 'The message is built in a way that would take too long to read automatically (too many parts, too large a header, or too many header fields or encoded words in it), so makul did not read it. Please open it in a mail client and handle it by hand.',
    },
    ru: {
      short: 'письмо слишком сложное для автоматической обработки',
      long: 'Письмо устроено так, что его автоматический разбор занял бы слишком много времени (слишком много частей, слишком большой заголовок или слишком много полей и закодированных слов в нём), поэтому makul его не разбирал. Откройте его в почтовой программе и обработайте вручную.',
    },
    ky: {
      short: 'кат автоматтык түрдө окуу үчүн өтө татаал',
      long: 'Кат автоматтык түрдө окуу өтө көп убакыт ала тургандай түзүлгөн (бөлүктөрү өтө көп, же баш бөлүгү (заголовок) өтө чоң, же андагы талаалар же коддолгон сөздөр өтө көп), ошондуктан makul аны окуган жок. Катты почта программасында ачып, кол менен иштетиңиз.',
    },
  },
  // update-data:no-fields, :invalid-values (../requests/data-fields.ts)
  'update-data': {
    en: {
      short: 'data to update not recognised',
      long: 'The person asked to update their personal data, but makul found no values it could read and check (such as “Phone: …” or “Last name: …”), or the values it found are not valid. Please read the message, ask the person for the correct data if needed, and make the change by hand.',
    },
    ru: {
      short: 'данные для актуализации не распознаны',
      long: 'Человек просит актуализировать персональные данные, но makul не нашёл в письме значений, которые можно прочитать и проверить (например, «Телефон: …» или «Фамилия: …»), или найденные значения некорректны. Прочитайте письмо, при необходимости уточните у человека правильные данные и внесите изменения вручную.',
    },
    ky: {
      short: 'жаңыртыла турган маалыматтар табылган жок',
      long: 'Адам жеке маалыматтарын актуалдаштырууну суранат, бирок makul катта окуп, текшере ала турган маанилерди таба алган жок (мисалы, «Телефон: …» же «Фамилиясы: …»), же табылган маанилер туура эмес. Катты окуп, керек болсо адамдан туура маалыматтарды тактап, өзгөртүүнү кол менен киргизиңиз.',
    },
  },
  // stop-dissemination:no-data-named (policy 004 §5.8.3: the demand must name the data)
  'stop-dissemination': {
    en: {
      short: 'no data named to stop disseminating',
      long: 'The person asks to stop the dissemination of their personal data but does not name which data (policy 004 §5.8.3 requires the demand to name them). Please read the message and ask the person which data they mean, or act on it by hand.',
    },
    ru: {
      short: 'не указаны данные для прекращения распространения',
      long: 'Человек требует прекратить распространение персональных данных, но не указывает, каких именно (по п. 5.8.3 политики 004 требование должно их перечислять). Прочитайте письмо и уточните у человека, о каких данных идёт речь, или выполните требование вручную.',
    },
    ky: {
      short: 'жайылтуу токтотула турган маалыматтар көрсөтүлгөн жок',
      long: 'Адам жеке маалыматтарын жайылтууну токтотууну талап кылат, бирок кайсы маалыматтар экенин көрсөткөн жок (004-саясаттын 5.8.3-пунктуна ылайык талапта алар көрсөтүлүшү керек). Катты окуп, адамдан кайсы маалыматтар жөнүндө сөз болуп жатканын тактаңыз же талапты кол менен аткарыңыз.',
    },
  },
  'invalid-sender': {
    en: {
      short: 'sender address not accepted',
      long: 'makul acts only on one plain, valid sender address: acting on an ambiguous one could harm the real owner of the address. Check who sent the message before answering or acting on it.',
    },
    ru: {
      short: 'адрес отправителя не принят',
      long: 'makul выполняет запросы только с одного простого и корректного адреса отправителя: выполнение запроса с неоднозначного адреса может навредить настоящему владельцу адреса. Проверьте, кто отправил письмо, прежде чем отвечать или выполнять запрос.',
    },
    ky: {
      short: 'жөнөтүүчүнүн дареги кабыл алынган жок',
      long: 'makul бир гана жөнөкөй жана туура жөнөтүүчү дарегинен келген суроо-талаптарды аткарат: так эмес даректен келген суроо-талапты аткаруу даректин чыныгы ээсине зыян келтириши мүмкүн. Жооп берүүдөн же суроо-талапты аткаруудан мурун катты ким жөнөткөнүн текшериңиз.',
    },
  },
};

/** Used for a reason id this module does not know yet, so a new reason never breaks a forward. */
const UNKNOWN_REASON: Readonly<Record<Language, ReasonText>> = {
  en: {
    short: 'could not be handled automatically',
    long: 'makul could not handle this message automatically. Please read it and handle it by hand.',
  },
  ru: {
    short: 'не удалось обработать автоматически',
    long: 'makul не смог обработать это письмо автоматически. Прочитайте его и обработайте вручную.',
  },
  ky: {
    short: 'автоматтык түрдө иштетүү мүмкүн болгон жок',
    long: 'makul бул катты автоматтык түрдө иштете алган жок. Катты окуп, кол менен иштетиңиз.',
  },
};

/** Details of `invalid-sender:<detail>` (the SenderRejection values of sender-address.ts). */
const SENDER_DETAILS: Readonly<Record<string, Readonly<Record<Language, string>>>> = {
  'no-from': {
    en: 'The message has no From address.',
    ru: 'В письме нет адреса отправителя (From).',
    ky: 'Катта жөнөтүүчүнүн дареги (From) жок.',
  },
  'several-from': {
    en: 'The message names several senders.',
    ru: 'В письме указано несколько отправителей.',
    ky: 'Катта бир нече жөнөтүүчү көрсөтүлгөн.',
  },
  'group-syntax': {
    en: 'The From field names a group instead of an address.',
    ru: 'В поле From указана группа, а не адрес.',
    ky: 'From талаасында дарек эмес, топ көрсөтүлгөн.',
  },
  'quoted-local-part': {
    en: 'The part of the address before @ is in quotes.',
    ru: 'Часть адреса до @ заключена в кавычки.',
    ky: 'Даректин @ белгисине чейинки бөлүгү тырмакчага алынган.',
  },
  comment: {
    en: 'The From field contains a comment in parentheses.',
    ru: 'В поле From есть комментарий в скобках.',
    ky: 'From талаасында кашаадагы түшүндүрмө бар.',
  },
  'encoded-word': {
    en: 'The address contains encoded text (RFC 2047).',
    ru: 'Адрес содержит закодированный текст (RFC 2047).',
    ky: 'Даректе коддолгон текст (RFC 2047) бар.',
  },
  'ip-literal': {
    en: 'The domain of the address is an IP address, not a name.',
    ru: 'Домен адреса — IP-адрес, а не имя.',
    ky: 'Даректин домени ат эмес, IP дарек.',
  },
  'malformed-address': {
    en: 'The address is not well formed.',
    ru: 'Адрес записан некорректно.',
    ky: 'Дарек туура эмес жазылган.',
  },
};

/** Reason ids are makul's own, but they reach headers and the note: keep them to their alphabet. */
export function safeReasonId(reason: string): string {
  return reason.replace(/[^a-z0-9:._-]/gi, '').slice(0, 100) || 'unknown';
}

/** The words for a review reason, for staff: short for a Subject, long for a note. */
export function reviewReasonText(reason: string, language: Language): ReasonText {
  const [category = '', detail] = safeReasonId(reason).split(':', 2);
  const known = REASONS[category]?.[language] ?? UNKNOWN_REASON[language];
  const detailText = detail === undefined ? undefined : SENDER_DETAILS[detail]?.[language];
  if (category !== 'invalid-sender' || detailText === undefined) return known;
  return { short: known.short, long: `${detailText} ${known.long}` };
}

interface ForwardNoteTexts {
  readonly subject: (reason: string, requestId: string) => string;
  readonly intro: string;
  readonly reason: string;
  readonly requestNumber: string;
  readonly received: string;
  readonly attached: (fileName: string) => string;
  readonly notAttached: string;
  readonly keptAt: string;
  readonly confidential: string;
}

const FORWARD_NOTES: Readonly<Record<Language, ForwardNoteTexts>> = {
  en: {
    subject: (reason, id) => `[makul] Needs a human: ${reason} — ${id}`,
    intro: 'A message sent to the personal-data address needs a person to handle it.',
    reason: 'Reason',
    requestNumber: 'Request number',
    received: 'Received',
    attached: (file) => `The original message is attached as ${file}.`,
    notAttached: 'The original message is too large to attach.',
    keptAt: 'The raw message is kept for a limited time in the raw-mail store at',
    confidential: 'The message contains personal data: do not forward it outside the support team.',
  },
  ru: {
    subject: (reason, id) => `[makul] Требуется сотрудник: ${reason} — ${id}`,
    intro: 'Письмо, пришедшее на адрес для запросов о персональных данных, должен обработать сотрудник.',
    reason: 'Причина',
    requestNumber: 'Номер запроса',
    received: 'Получено',
    attached: (file) => `Исходное письмо приложено как ${file}.`,
    notAttached: 'Исходное письмо слишком велико, чтобы приложить его.',
    keptAt: 'Исходное письмо ограниченное время хранится в хранилище входящих писем:',
    confidential: 'Письмо содержит персональные данные: не пересылайте его за пределы службы поддержки.',
  },
  ky: {
    subject: (reason, id) => `[makul] Кызматкердин кароосу керек: ${reason} — ${id}`,
    intro: 'Жеке маалыматтар боюнча дарекке келген катты кызматкер иштетиши керек.',
    reason: 'Себеби',
    requestNumber: 'Суроо-талаптын номери',
    received: 'Алынган убакыт',
    attached: (file) => `Баштапкы кат ${file} файлы катары тиркелди.`,
    notAttached: 'Баштапкы кат тиркөө үчүн өтө чоң.',
    keptAt: 'Баштапкы кат келген каттар сакталуучу жайда чектелген убакытка сакталат:',
    confidential: 'Катта жеке маалыматтар бар: аны колдоо кызматынан тышкары жөнөтпөңүз.',
  },
};

/** What the note to staff tells, as the MIME builder has checked it. */
export interface ForwardNoteFacts {
  readonly language: Language;
  /** The reason id as given; it is cleaned here (safeReasonId) before it is shown. */
  readonly reason: string;
  /** Already reduced to its own alphabet by the caller. */
  readonly requestId: string;
  readonly receivedAt: Date;
  /** The operator's (jurisdiction's) time zone: staff read times as they live them. */
  readonly timeZone: string;
  /** The attachment's file name, or null when the original is too large to attach. */
  readonly attachedFileName: string | null;
  /** Where the raw message is kept, already made safe by the caller. */
  readonly rawMailLocation: string;
}

/**
 * The Subject and the lines of the note to staff. Lines without line ends: how they are joined and
 * encoded is the MIME builder's business.
 */
export function forwardNote(facts: ForwardNoteFacts): { readonly subject: string; readonly lines: string[] } {
  const texts = FORWARD_NOTES[facts.language];
  const reason = reviewReasonText(facts.reason, facts.language);
  const received = formatReplyDate(facts.receivedAt, facts.language, facts.timeZone);
  return {
    subject: texts.subject(reason.short, facts.requestId),
    lines: [
      texts.intro,
      '',
      `${texts.reason}: ${reason.long} (${safeReasonId(facts.reason)})`,
      `${texts.requestNumber}: ${facts.requestId}`,
      `${texts.received}: ${received}`,
      '',
      facts.attachedFileName === null ? texts.notAttached : texts.attached(facts.attachedFileName),
      `${texts.keptAt} ${facts.rawMailLocation}`,
      '',
      texts.confidential,
    ],
  };
}
