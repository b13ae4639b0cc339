/**
 * The short mails makul sends after a data subject acts on one of its pages, and the access report, in
 * Kyrgyz, Russian and English:
 * - 'confirmed': the request was confirmed; what is done now and what follows by when, per kind;
 * - 'cancelled': the person pressed "this was not me"; nothing was or will be done, changes are undone;
 * - 'restriction-lifted': the person lifted a restriction (blocking) of processing;
 * - 'confirm-address': sent TO a new mailbox named in an update-data request, asking its owner to
 *   confirm it (the address changes only once confirmed from there);
 * - 'access-report': the report itself (access-report.ts), in the body, not as an attachment: an
 *   attachment is one more thing to open and scan, and the report is short;
 * - 'extended': ops extended the term of a request; the new due date, the previous one and the reason
 *   (RU 152-FZ art. 20 part 2: the extension needs a reasoned notice to the subject, which this is);
 * - 'rejected': ops refused a request, with the reason, and where the person may appeal (RU 152-FZ
 *   art. 17; KG No. 58: the authorised body or a court).
 *
 * The reasons are ops' own words, inserted as written (escaped in HTML like everything else): the ops
 * CLI asks for no personal data in them, and they go to the person the request came from.
 *
 * The 'confirmed' notice of an access request says the report follows in a separate mail.
 *
 * The rules of reply-templates.ts hold: texts are functions in typed phrasebooks; the operator's name
 * is only a grammatical subject in the nominative (past tense sentences are passive); Kyrgyz dates
 * stand after a label; the original message is never quoted; subjects carry only the kind and the id;
 * links are http(s) only and everything is escaped in HTML.
 */
import type { Language, RequestKind } from '../requests/request-kinds';
import { type AccessReport, accessReportBlocks } from './access-report';
import {
  type Block,
  confirmButtonLabel,
  formatReplyDate,
  kindName,
  type Paragraph,
  type RenderedReply,
  renderMessage,
  requireWebLink,
} from './reply-templates';

export type NoticeInput =
  | {
      readonly notice: 'confirmed';
      readonly kind: RequestKind;
      readonly requestId: string;
      readonly receivedAt: Date;
      readonly dueAt: Date;
      /** withdraw-consent, erasure: when the data will have been destroyed; defaults to dueAt. */
      readonly destructionBy?: Date;
      /** restrict: the page that lifts the restriction; without it the person is told to write to us. */
      readonly liftUrl?: string;
      readonly liftExpiresAt?: Date;
      /** update-data with a new email address: a confirmation link went to the new address. */
      readonly newAddressLinkSent?: boolean;
    }
  | {
      readonly notice: 'cancelled';
      readonly kind: RequestKind;
      readonly requestId: string;
      readonly receivedAt: Date;
    }
  | { readonly notice: 'restriction-lifted'; readonly requestId: string }
  | {
      readonly notice: 'confirm-address';
      readonly requestId: string;
      readonly actionUrl: string;
      readonly actionExpiresAt: Date;
    }
  | {
      readonly notice: 'access-report';
      readonly requestId: string;
      readonly report: AccessReport;
      /** When the operator's systems' own records are due (the access request's due date), if known. */
      readonly dueAt?: Date;
    }
  | {
      readonly notice: 'extended';
      readonly kind: RequestKind;
      readonly requestId: string;
      /** The due date before the extension, and the extended one. */
      readonly originalDueAt: Date;
      readonly dueAt: Date;
      /** Why, as ops wrote it. */
      readonly reason: string;
    }
  | {
      readonly notice: 'rejected';
      readonly kind: RequestKind;
      readonly requestId: string;
      /** Why, as ops wrote it. */
      readonly reason: string;
    };

export type NoticeType = NoticeInput['notice'];

export interface NoticeCommon {
  readonly language: Language;
  /** The operator's name, already in the notice's language. */
  readonly operatorName: string;
  /** IANA time zone the dates are shown in, e.g. "Asia/Bishkek". */
  readonly timeZone: string;
}

export type RenderNoticeInput = NoticeInput & NoticeCommon;

type KindSentence = (operator: string) => string;

/** The texts of one language. Dates arrive already formatted. */
interface NoticePhrasebook {
  readonly greeting: string;
  readonly subject: {
    readonly confirmed: (kind: string, id: string) => string;
    readonly cancelled: (kind: string, id: string) => string;
    readonly restrictionLifted: (kind: string, id: string) => string;
    readonly confirmAddress: (kind: string, id: string) => string;
    readonly accessReport: (kind: string, id: string) => string;
    readonly extended: (kind: string, id: string) => string;
    readonly rejected: (kind: string, id: string) => string;
  };
  readonly confirmedReceived: (kind: string, receivedAt: string) => string;
  /** What takes effect now, per kind. */
  readonly confirmedNow: Readonly<Record<RequestKind, KindSentence>>;
  readonly dueBy: (dueAt: string) => string;
  readonly newAddressLinkSent: string;
  readonly destroyedBy: (destructionBy: string) => string;
  readonly erasureScheduled: (destructionBy: string) => string;
  readonly doNotContact: string;
  readonly liftHow: string;
  readonly liftByWriting: string;
  readonly linkValidUntil: (expiresAt: string) => string;
  readonly cancelledReceived: (kind: string, receivedAt: string) => string;
  readonly cancelledWhat: string;
  readonly cancelledAgain: string;
  readonly restrictionLifted: string;
  readonly notYouWriteUs: string;
  readonly confirmAddressWhat: KindSentence;
  readonly confirmAddressHow: (button: string) => string;
  readonly confirmAddressAfter: string;
  readonly extendedWhat: (kind: string) => string;
  readonly previousDueDate: (dueAt: string) => string;
  readonly rejectedWhat: (kind: string) => string;
  /** Ops' words follow the label as written. */
  readonly reason: (reason: string) => string;
  readonly appeal: string;
  readonly requestNumber: (requestId: string) => string;
  readonly automatic: string;
}

const EN: NoticePhrasebook = {
  greeting: 'Hello,',
  subject: {
    confirmed: (kind, id) => `Request confirmed: ${kind} — ${id}`,
    cancelled: (kind, id) => `Request cancelled: ${kind} — ${id}`,
    restrictionLifted: (kind, id) => `${kind}: lifted — ${id}`,
    confirmAddress: (kind, id) => `Please confirm your new address: ${kind} — ${id}`,
    accessReport: (kind, id) => `${kind}: report — ${id}`,
    extended: (kind, id) => `Term extended: ${kind} — ${id}`,
    rejected: (kind, id) => `Request refused: ${kind} — ${id}`,
  },
  confirmedReceived: (kind, at) => `Your request “${kind}” of ${at} has been confirmed.`,
  confirmedNow: {
    unsubscribe: (op) => `${op} will send you no more marketing messages. This applies from now on.`,
    'update-data': (op) =>
      `${op} will correct your personal data as described in your message; the change is made in the systems where the data are kept.`,
    'withdraw-consent': () =>
      'Processing of your personal data on the basis of your consent has stopped, and so have marketing messages to you.',
    access: (op) =>
      `${op} will send you a report on your personal data and how they are processed in a separate email.`,
    erasure: () => 'Marketing messages to you have stopped.',
    restrict: () =>
      'Processing of your personal data is blocked from now on, until the restriction is lifted.',
    'stop-dissemination': (op) =>
      `The personal data named in your message will no longer be disseminated: ${op} will stop disseminating them.`,
  },
  dueBy: (at) => `This will be done no later than ${at}.`,
  newAddressLinkSent:
    'You asked to change your email address, so we have sent a link to the new address. The address changes only once it is confirmed from there.',
  destroyedBy: (at) =>
    `Your personal data will be destroyed, except data that must be kept by law, no later than ${at}.`,
  erasureScheduled: (at) =>
    `Your personal data have been scheduled for destruction and will be destroyed, except data that must be kept by law, no later than ${at}.`,
  doNotContact:
    'Your address is kept only as a “do not contact” entry, as a code computed from it with a secret key rather than the address itself, so that no marketing is ever sent to you again.',
  liftHow: 'To lift the restriction, open this link:',
  liftByWriting: 'To lift the restriction, write to us and quote the request number.',
  linkValidUntil: (at) => `The link is valid until ${at}.`,
  cancelledReceived: (kind, at) => `You told us that you did not send the request “${kind}” of ${at}.`,
  cancelledWhat:
    'The request has been cancelled: nothing has been done on it and nothing will be, and anything already changed because of it has been restored.',
  cancelledAgain: 'If you do want to make this request, send it again.',
  restrictionLifted:
    'The restriction (blocking) of processing of your personal data has been lifted: processing has resumed as before.',
  notYouWriteUs: 'If you did not ask for this, write to us and quote the request number.',
  confirmAddressWhat: (op) =>
    `A request has been made to make this the email address in the personal data that ${op} processes.`,
  confirmAddressHow: (button) =>
    `If this is your new address, open the link below and press “${button}” on the page that opens:`,
  confirmAddressAfter:
    'The address changes only once it is confirmed from this mailbox. If you did not ask for this, ignore this email and nothing will change.',
  extendedWhat: (kind) => `The term for answering your request “${kind}” has been extended.`,
  previousDueDate: (at) => `The previous due date was ${at}.`,
  rejectedWhat: (kind) => `Your request “${kind}” has been refused.`,
  reason: (reason) => `Reason: ${reason}`,
  appeal:
    'If you disagree, you may appeal to the authority for the protection of the rights of personal data subjects or to a court.',
  requestNumber: (id) => `Request number: ${id}. Please quote it if you write to us about this request.`,
  automatic: 'This message was sent automatically.',
};

const RU: NoticePhrasebook = {
  greeting: 'Здравствуйте!',
  subject: {
    confirmed: (kind, id) => `Запрос подтверждён: ${kind} — ${id}`,
    cancelled: (kind, id) => `Запрос отменён: ${kind} — ${id}`,
    restrictionLifted: (kind, id) => `${kind}: прекращено — ${id}`,
    confirmAddress: (kind, id) => `Подтвердите новый адрес: ${kind} — ${id}`,
    accessReport: (kind, id) => `${kind}: сведения — ${id}`,
    extended: (kind, id) => `Срок продлён: ${kind} — ${id}`,
    rejected: (kind, id) => `Запрос отклонён: ${kind} — ${id}`,
  },
  confirmedReceived: (kind, at) => `Ваш запрос «${kind}» от ${at} подтверждён.`,
  confirmedNow: {
    unsubscribe: (op) => `${op} больше не будет присылать вам рекламные сообщения. Это действует уже сейчас.`,
    'update-data': (op) =>
      `${op} актуализирует ваши персональные данные в соответствии с вашим письмом; изменения вносятся в системы, в которых хранятся данные.`,
    'withdraw-consent': () =>
      'Обработка ваших персональных данных на основании согласия и отправка вам рекламных сообщений прекращены.',
    access: (op) =>
      `${op} направит вам сведения о ваших персональных данных и об их обработке отдельным письмом.`,
    erasure: () => 'Отправка вам рекламных сообщений прекращена.',
    restrict: () =>
      'Обработка ваших персональных данных заблокирована с этого момента и до снятия блокировки.',
    'stop-dissemination': (op) =>
      `Персональные данные, указанные в вашем письме, больше не будут распространяться: ${op} прекратит их распространение.`,
  },
  dueBy: (at) => `Срок выполнения — не позднее ${at}.`,
  newAddressLinkSent:
    'Вы попросили изменить адрес электронной почты, поэтому на новый адрес отправлено письмо со ссылкой. Адрес будет изменён только после подтверждения по этой ссылке.',
  destroyedBy: (at) =>
    `Ваши персональные данные, кроме тех, которые необходимо хранить по закону, будут уничтожены не позднее ${at}.`,
  erasureScheduled: (at) =>
    `Ваши персональные данные поставлены в очередь на уничтожение: они будут уничтожены, кроме тех, которые необходимо хранить по закону, не позднее ${at}.`,
  doNotContact:
    'Ваш адрес сохраняется только как запись «не связываться» — в виде кода, вычисленного из него с секретным ключом, а не самого адреса, — чтобы вам больше никогда не присылали рекламу.',
  liftHow: 'Чтобы снять блокировку, откройте эту ссылку:',
  liftByWriting: 'Чтобы снять блокировку, напишите нам и укажите номер запроса.',
  linkValidUntil: (at) => `Ссылка действительна до ${at}.`,
  cancelledReceived: (kind, at) => `Вы сообщили, что не отправляли запрос «${kind}» от ${at}.`,
  cancelledWhat:
    'Запрос отменён: по нему ничего не сделано и не будет сделано, а всё, что уже было изменено из-за него, восстановлено.',
  cancelledAgain: 'Если вы всё же хотите подать этот запрос, отправьте его ещё раз.',
  restrictionLifted:
    'Блокирование ваших персональных данных прекращено: их обработка возобновлена в прежнем порядке.',
  notYouWriteUs: 'Если вы об этом не просили, напишите нам и укажите номер запроса.',
  confirmAddressWhat: (op) =>
    `Поступил запрос на замену адреса электронной почты в персональных данных, которые обрабатывает ${op}, на этот адрес.`,
  confirmAddressHow: (button) =>
    `Если это ваш новый адрес, откройте ссылку ниже и нажмите «${button}» на открывшейся странице:`,
  confirmAddressAfter:
    'Адрес будет изменён только после подтверждения из этого почтового ящика. Если вы об этом не просили, просто не обращайте внимания на это письмо — ничего не изменится.',
  extendedWhat: (kind) => `Срок ответа на ваш запрос «${kind}» продлён.`,
  previousDueDate: (at) => `Прежний срок — не позднее ${at}.`,
  rejectedWhat: (kind) => `Ваш запрос «${kind}» отклонён.`,
  reason: (reason) => `Причина: ${reason}`,
  appeal:
    'Если вы не согласны, вы можете обжаловать это решение в уполномоченном органе по защите прав субъектов персональных данных или в суде.',
  requestNumber: (id) => `Номер запроса: ${id}. Укажите его, если будете писать нам по этому запросу.`,
  automatic: 'Это письмо отправлено автоматически.',
};

/** Kyrgyz dates stand after a label ("Мөөнөтү: …"): see reply-templates.ts. */
const KY: NoticePhrasebook = {
  greeting: 'Саламатсызбы!',
  subject: {
    confirmed: (kind, id) => `Суроо-талап ырасталды: ${kind} — ${id}`,
    cancelled: (kind, id) => `Суроо-талап жокко чыгарылды: ${kind} — ${id}`,
    restrictionLifted: (kind, id) => `${kind}: токтотулду — ${id}`,
    confirmAddress: (kind, id) => `Жаңы дарегиңизди ырастаңыз: ${kind} — ${id}`,
    accessReport: (kind, id) => `${kind}: маалымкат — ${id}`,
    extended: (kind, id) => `Мөөнөтү узартылды: ${kind} — ${id}`,
    rejected: (kind, id) => `Суроо-талап четке кагылды: ${kind} — ${id}`,
  },
  confirmedReceived: (kind, at) => `«${kind}» суроо-талабыңыз ырасталды. Алынган убакыт: ${at}.`,
  confirmedNow: {
    unsubscribe: (op) => `${op} мындан ары сизге жарнамалык билдирүүлөрдү жөнөтпөйт. Бул дароо күчүнө кирди.`,
    'update-data': (op) =>
      `${op} катыңызда көрсөтүлгөндөй жеке маалыматтарыңызды актуалдаштырат; өзгөртүүлөр маалыматтар сакталган системаларга киргизилет.`,
    'withdraw-consent': () =>
      'Макулдугуңуздун негизинде жеке маалыматтарыңызды иштеп чыгуу жана сизге жарнамалык билдирүүлөрдү жөнөтүү токтотулду.',
    access: (op) =>
      `${op} сизге жеке маалыматтарыңыз жана аларды иштеп чыгуу тууралуу маалымкатты өзүнчө кат менен жөнөтөт.`,
    erasure: () => 'Сизге жарнамалык билдирүүлөрдү жөнөтүү токтотулду.',
    restrict: () =>
      'Жеке маалыматтарыңызды иштеп чыгуу ушул учурдан тартып бөгөт алынганга чейин токтотулду.',
    'stop-dissemination': (op) =>
      `Катыңызда көрсөтүлгөн жеке маалыматтар мындан ары жайылтылбайт: ${op} аларды жайылтууну токтотот.`,
  },
  dueBy: (at) => `Аткаруунун акыркы мөөнөтү: ${at}.`,
  newAddressLinkSent:
    'Сиз электрондук почта дарегиңизди өзгөртүүнү сурадыңыз, ошондуктан жаңы дарекке шилтемеси бар кат жөнөтүлдү. Дарек ошол жактан ырасталгандан кийин гана өзгөрөт.',
  destroyedBy: (at) =>
    `Мыйзам боюнча сакталууга тийиш болгондордон башка жеке маалыматтарыңыз жок кылынат. Жок кылуунун акыркы мөөнөтү: ${at}.`,
  erasureScheduled: (at) =>
    `Мыйзам боюнча сакталууга тийиш болгондордон башка жеке маалыматтарыңыз жок кылууга пландаштырылды. Жок кылуунун акыркы мөөнөтү: ${at}.`,
  doNotContact:
    'Дарегиңиз «байланышпоо» жазуусу катары гана сакталат — даректин өзү эмес, андан жашыруун ачкыч менен эсептелген код түрүндө, — сизге кайра эч качан жарнама жөнөтүлбөшү үчүн.',
  liftHow: 'Бөгөттү алуу үчүн бул шилтемени ачыңыз:',
  liftByWriting: 'Бөгөттү алуу үчүн бизге жазып, суроо-талаптын номерин көрсөтүңүз.',
  linkValidUntil: (at) => `Шилтеменин жарактуулук мөөнөтү: ${at}.`,
  cancelledReceived: (kind, at) =>
    `«${kind}» суроо-талабын сиз жөнөтпөгөнүңүздү билдирдиңиз. Алынган убакыт: ${at}.`,
  cancelledWhat:
    'Суроо-талап жокко чыгарылды: ал боюнча эч нерсе аткарылган жок жана аткарылбайт, ал себептүү өзгөртүлгөн нерселердин баары мурунку абалына кайтарылды.',
  cancelledAgain: 'Эгер бул суроо-талапты чын эле жөнөткүңүз келсе, аны кайра жөнөтүңүз.',
  restrictionLifted: 'Жеке маалыматтарыңыздын бөгөтү алынды: аларды иштеп чыгуу мурункудай кайра улантылды.',
  notYouWriteUs: 'Эгер сиз муну сураган эмес болсоңуз, бизге жазып, суроо-талаптын номерин көрсөтүңүз.',
  confirmAddressWhat: (op) =>
    `${op} иштеп чыккан жеке маалыматтардагы электрондук почта дарегин ушул дарекке алмаштыруу боюнча суроо-талап келип түштү.`,
  confirmAddressHow: (button) =>
    `Эгер бул сиздин жаңы дарегиңиз болсо, төмөнкү шилтемени ачып, ачылган беттеги «${button}» баскычын басыңыз:`,
  confirmAddressAfter:
    'Дарек ушул почта кутусунан ырасталгандан кийин гана өзгөрөт. Эгер сиз муну сураган эмес болсоңуз, бул катка көңүл бурбаңыз — эч нерсе өзгөрбөйт.',
  extendedWhat: (kind) => `«${kind}» суроо-талабыңызга жооп берүү мөөнөтү узартылды.`,
  previousDueDate: (at) => `Мурунку мөөнөтү: ${at}.`,
  rejectedWhat: (kind) => `«${kind}» суроо-талабыңыз четке кагылды.`,
  reason: (reason) => `Себеби: ${reason}`,
  appeal:
    'Эгер бул чечимге макул болбосоңуз, жеке маалыматтар субъекттеринин укуктарын коргоо боюнча ыйгарым укуктуу органга же сотко даттана аласыз.',
  requestNumber: (id) =>
    `Суроо-талаптын номери: ${id}. Бул суроо-талап боюнча бизге жазсаңыз, ушул номерди көрсөтүңүз.`,
  automatic: 'Бул кат автоматтык түрдө жөнөтүлдү.',
};

const PHRASEBOOKS: Readonly<Record<Language, NoticePhrasebook>> = { ky: KY, ru: RU, en: EN };

const line = (text: string): Paragraph => [{ text }];

type ConfirmedInput = Extract<NoticeInput, { notice: 'confirmed' }>;

/** What a confirmed request does now and what follows, per kind. */
function confirmedBlocks(input: ConfirmedInput & NoticeCommon, book: NoticePhrasebook): Block[] {
  const date = (value: Date): string => formatReplyDate(value, input.language, input.timeZone);
  const operator = input.operatorName;
  const blocks: Block[] = [
    line(book.confirmedReceived(kindName(input.kind, input.language), date(input.receivedAt))),
    line(book.confirmedNow[input.kind](operator)),
  ];
  // Destruction has its own legal term (RU 152-FZ art. 21 part 5: 30 days); the due date stands in.
  const destructionBy = date(input.destructionBy ?? input.dueAt);
  switch (input.kind) {
    case 'unsubscribe':
      // 38-FZ art. 18: immediately; there is nothing left to wait for.
      break;
    case 'update-data':
      blocks.push(line(book.dueBy(date(input.dueAt))));
      if (input.newAddressLinkSent) blocks.push(line(book.newAddressLinkSent));
      break;
    case 'withdraw-consent':
      blocks.push(line(book.destroyedBy(destructionBy)));
      break;
    case 'erasure':
      blocks.push(line(book.erasureScheduled(destructionBy)), line(book.doNotContact));
      break;
    case 'restrict':
      if (input.liftUrl === undefined) {
        blocks.push(line(book.liftByWriting));
      } else {
        blocks.push(line(book.liftHow), [
          { link: requireWebLink(input.liftUrl, 'liftUrl', 'a restrict notice') },
        ]);
        if (input.liftExpiresAt) blocks.push(line(book.linkValidUntil(date(input.liftExpiresAt))));
      }
      break;
    case 'access':
    case 'stop-dissemination':
      blocks.push(line(book.dueBy(date(input.dueAt))));
      break;
  }
  return blocks;
}

/** The subject line and body blocks of one notice. */
function noticeContent(
  input: RenderNoticeInput,
  book: NoticePhrasebook,
): { subject: string; blocks: Block[] } {
  const { language } = input;
  const date = (value: Date): string => formatReplyDate(value, language, input.timeZone);
  switch (input.notice) {
    case 'confirmed':
      return {
        subject: book.subject.confirmed(kindName(input.kind, language), input.requestId),
        blocks: confirmedBlocks(input, book),
      };
    case 'cancelled': {
      const kind = kindName(input.kind, language);
      return {
        subject: book.subject.cancelled(kind, input.requestId),
        blocks: [
          line(book.cancelledReceived(kind, date(input.receivedAt))),
          line(book.cancelledWhat),
          line(book.cancelledAgain),
        ],
      };
    }
    case 'restriction-lifted':
      return {
        subject: book.subject.restrictionLifted(kindName('restrict', language), input.requestId),
        blocks: [line(book.restrictionLifted), line(book.notYouWriteUs)],
      };
    case 'confirm-address': {
      const link = requireWebLink(input.actionUrl, 'actionUrl', "a 'confirm-address' notice");
      return {
        subject: book.subject.confirmAddress(kindName('update-data', language), input.requestId),
        blocks: [
          line(book.confirmAddressWhat(input.operatorName)),
          line(book.confirmAddressHow(confirmButtonLabel(language))),
          [{ link }],
          line(book.linkValidUntil(date(input.actionExpiresAt))),
          line(book.confirmAddressAfter),
        ],
      };
    }
    case 'access-report':
      return {
        subject: book.subject.accessReport(kindName('access', language), input.requestId),
        blocks: accessReportBlocks(input.report, {
          language,
          operatorName: input.operatorName,
          timeZone: input.timeZone,
          ...(input.dueAt ? { operatorRecordsDueAt: input.dueAt } : {}),
        }),
      };
    case 'extended': {
      const kind = kindName(input.kind, language);
      return {
        subject: book.subject.extended(kind, input.requestId),
        blocks: [
          line(book.extendedWhat(kind)),
          line(book.reason(input.reason)),
          line(book.dueBy(date(input.dueAt))),
          line(book.previousDueDate(date(input.originalDueAt))),
        ],
      };
    }
    case 'rejected': {
      const kind = kindName(input.kind, language);
      return {
        subject: book.subject.rejected(kind, input.requestId),
        blocks: [line(book.rejectedWhat(kind)), line(book.reason(input.reason)), line(book.appeal)],
      };
    }
  }
}

/**
 * Renders a notice in the subject's language: subject line, plain text and HTML, like renderReply.
 * Throws when a link is not an http(s) URL.
 */
export function renderNotice(input: RenderNoticeInput): RenderedReply {
  const book = PHRASEBOOKS[input.language];
  const { subject, blocks } = noticeContent(input, book);
  return renderMessage(input.language, subject, [
    line(book.greeting),
    ...blocks,
    line(book.requestNumber(input.requestId)),
    line(`${book.automatic} — ${input.operatorName}`),
  ]);
}
