/**
 * The access report: what makul holds about one address, and the categories the operator holds, told
 * to the data subject in their language (RU 152-FZ art. 14; KG No. 58 art. 17). notice-templates.ts
 * sends it as the 'access-report' notice; this file holds its shape and its words.
 *
 * makul itself keeps little: a keyed hash of the address (never the address, except sealed while a
 * request is open), the flags set on it and the requests made. The records in the operator's own
 * systems are gathered by those systems: when the operator names its data systems (issue 11), each
 * answers the request's task with what it holds, by category, and the report carries a section per
 * system (its name, its purpose, the data by category, or that it holds nothing of the person's);
 * otherwise they are provided separately, and the report says so rather than pretending to be complete.
 * The values are the systems' own, as they gave them (escaped in HTML like every text).
 *
 * The grammar rule of reply-templates.ts holds here too: the operator's name appears only as a
 * grammatical subject in the nominative, and Kyrgyz dates stand after a label.
 */
import type { Language, RequestKind } from '../requests/request-kinds';
import { type Block, formatReplyDate, kindName, type Paragraph } from './reply-templates';

export interface AccessReportRequest {
  readonly requestId: string;
  /** null: a message that was not recognised as a request of a known kind. */
  readonly kind: RequestKind | null;
  readonly receivedAt: Date;
  /** The register status, e.g. 'completed', 'in-progress', 'awaiting-verification', 'needs-human'. */
  readonly status: string;
  /** How it ended or stands, e.g. 'completed', 'cancelled', 'in-progress'; shown when it differs from status. */
  readonly outcome: string;
}

export interface AccessReport {
  readonly generatedAt: Date;
  /** What makul holds: keyed pseudonym of the address only; flags with since-when */
  readonly marketingOptOutSince: Date | null;
  readonly consentWithdrawnSince: Date | null;
  readonly processingRestrictedSince: Date | null;
  readonly disseminationStoppedSince: Date | null;
  /** Display names of the data whose dissemination stopped. */
  readonly disseminationStoppedItems: readonly string[];
  readonly erasureRequestedSince: Date | null;
  readonly erasureDueBy: Date | null;
  readonly requests: readonly AccessReportRequest[];
  /** The operator's categories of data (operator profile dataHeld) — the operator's systems' contributions come later */
  readonly dataHeldByOperator: readonly string[];
  /**
   * What each of the operator's data systems answered, in the profile's order; absent when the
   * operator names none (its records are then provided separately).
   */
  readonly systems?: readonly AccessReportSystem[];
}

/** One data system's answer, its words already in the report's language. */
export interface AccessReportSystem {
  readonly name: string;
  /** What it does with the data ("to run the lottery games and pay out winnings"). */
  readonly purpose: string;
  /** The data it holds by category (category name, values as the system gave them); null: none of theirs. */
  readonly data: readonly { readonly category: string; readonly values: readonly string[] }[] | null;
}

export interface AccessReportContext {
  readonly language: Language;
  /** The operator's name, already in the report's language. */
  readonly operatorName: string;
  /** IANA time zone the dates are shown in. */
  readonly timeZone: string;
  /** When the operator's systems' own records are due; without it the text says "within the legal term". */
  readonly operatorRecordsDueAt?: Date;
}

/**
 * The words for the register's statuses and outcomes. Russian uses the neuter short form ("выполнено"),
 * which stands alone after a label whatever the gender of the noun (запрос, письмо). A value not listed here is shown as it is: it is
 * makul's own code, never the subject's text, and showing it beats hiding a request from its owner.
 */
const STATUS_WORDS: Readonly<Record<string, Readonly<Record<Language, string>>>> = {
  completed: { en: 'completed', ru: 'выполнено', ky: 'аткарылды' },
  'in-progress': { en: 'in progress', ru: 'выполняется', ky: 'аткарылууда' },
  'awaiting-verification': {
    en: 'awaiting confirmation',
    ru: 'ожидает подтверждения',
    ky: 'ырастоо күтүлүүдө',
  },
  cancelled: { en: 'cancelled', ru: 'отменено', ky: 'жокко чыгарылды' },
  'needs-human': {
    en: 'passed to a member of staff',
    ru: 'передано сотруднику',
    ky: 'кызматкерге өткөрүлүп берилди',
  },
  held: { en: 'held for a check', ru: 'задержано для проверки', ky: 'текшерүү үчүн кармалып турат' },
  dropped: { en: 'not processed', ru: 'не обработано', ky: 'иштетилген жок' },
  duplicate: {
    en: 'repeat of an earlier request',
    ru: 'повтор ранее полученного запроса',
    ky: 'мурунку суроо-талаптын кайталанышы',
  },
  expired: { en: 'not confirmed in time', ru: 'не подтверждено в срок', ky: 'мөөнөтүндө ырасталган жок' },
  refused: { en: 'refused', ru: 'отклонено', ky: 'четке кагылды' },
  rejected: { en: 'refused', ru: 'отклонено', ky: 'четке кагылды' },
};

/** The subject-facing word for a register status or outcome, in the language. */
export function statusWord(status: string, language: Language): string {
  return STATUS_WORDS[status]?.[language] ?? status;
}

/** The texts of one language. Dates arrive already formatted. */
interface ReportPhrasebook {
  readonly intro: (generatedAt: string) => string;
  readonly systemHeading: string;
  readonly keyedHash: string;
  readonly addressWhileOpen: string;
  readonly flagsHeading: string;
  readonly marketingOptOut: (since: string) => string;
  readonly consentWithdrawn: (since: string) => string;
  readonly processingRestricted: (since: string) => string;
  readonly disseminationStopped: (since: string, items: readonly string[]) => string;
  readonly erasureRequested: (since: string, dueBy: string | null) => string;
  readonly noFlags: string;
  readonly requestsHeading: string;
  readonly noRequests: string;
  readonly unrecognisedKind: string;
  readonly request: (
    id: string,
    kind: string,
    receivedAt: string,
    status: string,
    outcome: string | null,
  ) => string;
  readonly categoriesHeading: (operator: string) => string;
  readonly operatorRecords: (operator: string, dueAt: string | null) => string;
  /** The operator stays the grammatical subject in the nominative (the file's rule). */
  readonly systemsHeading: (operator: string) => string;
  readonly system: (name: string, purpose: string) => string;
  readonly holdsNothing: string;
}

const EN: ReportPhrasebook = {
  intro: (at) => `This is the report on your personal data that you asked for. It was prepared on ${at}.`,
  systemHeading: 'What the system that handles requests about personal data keeps:',
  keyedHash:
    'Not your email address, but a code computed from it with a secret key (a keyed hash), by which your requests and choices are found.',
  addressWhileOpen:
    'Your address itself only while one of your requests is open, so that we can answer you; it is deleted afterwards.',
  flagsHeading: 'Recorded for your address:',
  marketingOptOut: (since) => `Marketing messages refused since ${since}.`,
  consentWithdrawn: (since) =>
    `Consent to the processing of your personal data withdrawn since ${since}: processing on the basis of consent has stopped.`,
  processingRestricted: (since) => `Processing of your personal data blocked since ${since}.`,
  disseminationStopped: (since, items) =>
    `Dissemination of your personal data stopped since ${since}${items.length > 0 ? ` for: ${items.join('; ')}` : ''}.`,
  erasureRequested: (since, dueBy) =>
    `Destruction of your personal data requested since ${since}${dueBy ? `; due no later than ${dueBy}` : ''}.`,
  noFlags: 'No refusal, withdrawal of consent or restriction is recorded.',
  requestsHeading: 'Your requests:',
  noRequests: 'No requests are recorded.',
  unrecognisedKind: 'message not recognised as a request',
  request: (id, kind, at, status, outcome) =>
    `${id} — ${kind}. Received: ${at}. Status: ${status}.${outcome ? ` Outcome: ${outcome}.` : ''}`,
  categoriesHeading: (op) => `Categories of personal data that ${op} processes:`,
  operatorRecords: (op, due) =>
    `${op} will provide the records about you held in its own systems separately, ${due ? `no later than ${due}` : 'within the term set by law'}.`,
  systemsHeading: (op) => `${op} holds the following personal data of yours in its information systems:`,
  system: (name, purpose) => `System: ${name}. Purpose: ${purpose}.`,
  holdsNothing: 'This system holds no personal data of yours.',
};

const RU: ReportPhrasebook = {
  intro: (at) => `Это сведения о ваших персональных данных, которые вы запросили. Они подготовлены ${at}.`,
  systemHeading: 'Что хранит система обработки запросов о персональных данных:',
  keyedHash:
    'Не ваш адрес электронной почты, а код, вычисленный из него с секретным ключом (хеш с ключом): по нему находятся ваши запросы и ваш выбор.',
  addressWhileOpen:
    'Сам адрес — только пока ваш запрос не закрыт, чтобы мы могли вам ответить; затем он удаляется.',
  flagsHeading: 'Для вашего адреса зарегистрировано:',
  marketingOptOut: (since) => `Отказ от рекламных сообщений — с ${since}.`,
  consentWithdrawn: (since) =>
    `Согласие на обработку персональных данных отозвано — с ${since}; обработка на основании согласия прекращена.`,
  processingRestricted: (since) => `Обработка ваших персональных данных заблокирована — с ${since}.`,
  disseminationStopped: (since, items) =>
    `Распространение ваших персональных данных прекращено — с ${since}${items.length > 0 ? `; данные: ${items.join('; ')}` : ''}.`,
  erasureRequested: (since, dueBy) =>
    `Уничтожение ваших персональных данных запрошено — с ${since}${dueBy ? `; срок — не позднее ${dueBy}` : ''}.`,
  noFlags: 'Отказов, отзыва согласия и ограничений не зарегистрировано.',
  requestsHeading: 'Ваши запросы:',
  noRequests: 'Запросов не зарегистрировано.',
  unrecognisedKind: 'письмо, не распознанное как запрос',
  request: (id, kind, at, status, outcome) =>
    `${id} — ${kind}. Дата получения: ${at}. Состояние: ${status}.${outcome ? ` Итог: ${outcome}.` : ''}`,
  categoriesHeading: (op) => `Категории персональных данных, которые обрабатывает ${op}:`,
  operatorRecords: (op, due) =>
    `${op} предоставит сведения о вас из своих информационных систем отдельно, ${due ? `не позднее ${due}` : 'в установленный законом срок'}.`,
  systemsHeading: (op) => `${op} хранит в своих информационных системах следующие ваши персональные данные:`,
  system: (name, purpose) => `Система: ${name}. Цель обработки: ${purpose}.`,
  holdsNothing: 'В этой системе ваших персональных данных нет.',
};

/** Kyrgyz dates stand after a label (see reply-templates.ts): "Качантан бери: …". */
const KY: ReportPhrasebook = {
  intro: (at) => `Бул сиз сураган жеке маалыматтарыңыз тууралуу маалымкат. Түзүлгөн убакыт: ${at}.`,
  systemHeading: 'Жеке маалыматтар боюнча суроо-талаптарды иштеткен система эмнени сактайт:',
  keyedHash:
    'Электрондук почта дарегиңиздин өзүн эмес, андан жашыруун ачкыч менен эсептелген кодду (ачкычтуу хеш): суроо-талаптарыңыз жана тандооңуз ал аркылуу табылат.',
  addressWhileOpen:
    'Дарегиңиздин өзүн — суроо-талабыңыз жабылганга чейин гана, сизге жооп берүү үчүн; андан кийин ал өчүрүлөт.',
  flagsHeading: 'Дарегиңиз боюнча катталган:',
  marketingOptOut: (since) => `Жарнамалык билдирүүлөрдөн баш тартуу. Качантан бери: ${since}.`,
  consentWithdrawn: (since) =>
    `Жеке маалыматтарды иштеп чыгууга макулдук кайтарылып алынган, макулдуктун негизинде иштеп чыгуу токтотулган. Качантан бери: ${since}.`,
  processingRestricted: (since) => `Жеке маалыматтарыңызды иштеп чыгуу бөгөттөлгөн. Качантан бери: ${since}.`,
  disseminationStopped: (since, items) =>
    `Жеке маалыматтарыңызды жайылтуу токтотулган. Качантан бери: ${since}.${items.length > 0 ? ` Маалыматтар: ${items.join('; ')}.` : ''}`,
  erasureRequested: (since, dueBy) =>
    `Жеке маалыматтарыңызды жок кылуу суралган. Качантан бери: ${since}.${dueBy ? ` Жок кылуунун акыркы мөөнөтү: ${dueBy}.` : ''}`,
  noFlags: 'Баш тартуу, макулдукту кайтарып алуу же бөгөттөө катталган эмес.',
  requestsHeading: 'Суроо-талаптарыңыз:',
  noRequests: 'Суроо-талаптар катталган эмес.',
  unrecognisedKind: 'суроо-талап катары таанылбаган кат',
  request: (id, kind, at, status, outcome) =>
    `${id} — ${kind}. Алынган убакыт: ${at}. Абалы: ${status}.${outcome ? ` Жыйынтыгы: ${outcome}.` : ''}`,
  categoriesHeading: (op) => `${op} иштеп чыккан жеке маалыматтардын категориялары:`,
  operatorRecords: (op, due) =>
    due
      ? `${op} өз маалыматтык системаларындагы сиз тууралуу маалыматтарды өзүнчө берет. Берүүнүн акыркы мөөнөтү: ${due}.`
      : `${op} өз маалыматтык системаларындагы сиз тууралуу маалыматтарды мыйзамда белгиленген мөөнөттө өзүнчө берет.`,
  systemsHeading: (op) =>
    `${op} өз маалыматтык системаларында сиздин төмөнкү жеке маалыматтарыңызды сактайт:`,
  system: (name, purpose) => `Система: ${name}. Иштеп чыгуунун максаты: ${purpose}.`,
  holdsNothing: 'Бул системада сиздин жеке маалыматтарыңыз жок.',
};

const PHRASEBOOKS: Readonly<Record<Language, ReportPhrasebook>> = { ky: KY, ru: RU, en: EN };

const line = (text: string): Paragraph => [{ text }];

/** The blocks of the report, in the context's language; notice-templates.ts wraps them in a mail. */
export function accessReportBlocks(report: AccessReport, context: AccessReportContext): Block[] {
  const { language, operatorName: operator } = context;
  const book = PHRASEBOOKS[language];
  const date = (value: Date): string => formatReplyDate(value, language, context.timeZone);

  const flags: Paragraph[] = [];
  if (report.marketingOptOutSince) flags.push(line(book.marketingOptOut(date(report.marketingOptOutSince))));
  if (report.consentWithdrawnSince)
    flags.push(line(book.consentWithdrawn(date(report.consentWithdrawnSince))));
  if (report.processingRestrictedSince) {
    flags.push(line(book.processingRestricted(date(report.processingRestrictedSince))));
  }
  if (report.disseminationStoppedSince) {
    flags.push(
      line(
        book.disseminationStopped(date(report.disseminationStoppedSince), report.disseminationStoppedItems),
      ),
    );
  }
  if (report.erasureRequestedSince) {
    const dueBy = report.erasureDueBy ? date(report.erasureDueBy) : null;
    flags.push(line(book.erasureRequested(date(report.erasureRequestedSince), dueBy)));
  }

  // Oldest first: the list then reads as the history of the person's dealings with the operator.
  const requests = [...report.requests].sort((a, b) => a.receivedAt.getTime() - b.receivedAt.getTime());
  const requestItems = requests.map((request) => {
    const kind = request.kind ? kindName(request.kind, language) : book.unrecognisedKind;
    const status = statusWord(request.status, language);
    const outcome = request.outcome === request.status ? null : statusWord(request.outcome, language);
    return line(book.request(request.requestId, kind, date(request.receivedAt), status, outcome));
  });

  const blocks: Block[] = [
    line(book.intro(date(report.generatedAt))),
    line(book.systemHeading),
    { items: [line(book.keyedHash), line(book.addressWhileOpen)] },
    line(book.flagsHeading),
    flags.length > 0 ? { items: flags } : line(book.noFlags),
    line(book.requestsHeading),
    requestItems.length > 0 ? { items: requestItems } : line(book.noRequests),
  ];
  if (report.dataHeldByOperator.length > 0) {
    blocks.push(line(book.categoriesHeading(operator)), { items: report.dataHeldByOperator.map(line) });
  }
  if (report.systems !== undefined) {
    // The systems answered: their records are in the report itself, not promised for later.
    blocks.push(line(book.systemsHeading(operator)));
    for (const system of report.systems) {
      blocks.push(line(book.system(system.name, system.purpose)));
      blocks.push(
        system.data === null || system.data.length === 0
          ? line(book.holdsNothing)
          : { items: system.data.map((held) => line(`${held.category}: ${held.values.join('; ')}`)) },
      );
    }
    return blocks;
  }
  const recordsDue = context.operatorRecordsDueAt ? date(context.operatorRecordsDueAt) : null;
  blocks.push(line(book.operatorRecords(operator, recordsDue)));
  return blocks;
}
