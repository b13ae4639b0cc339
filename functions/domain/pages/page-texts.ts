/**
 * Every text of makul's public pages, in Kyrgyz, Russian and English.
 *
 * Texts are functions in typed phrasebooks (as in ../replies/reply-templates.ts): the compiler refuses
 * a language, a kind or an outcome without its text. They return plain text; the renderer escapes it.
 *
 * Grammar rule for translators (the same as for the replies): the operator's name is only ever the
 * grammatical subject, in the nominative, and past-tense sentences are passive, because neither
 * Russian gender agreement nor Kyrgyz vowel harmony can be derived from an arbitrary company name.
 * Dates, addresses and numbers stand after a label ("Мөөнөтү: …"), never inside a sentence: inside a
 * Kyrgyz sentence they would need a case ending that cannot be attached to a formatted value.
 */
import { WILL_DO } from '../replies/will-do';
import type { Language, RequestKind } from '../requests/request-kinds';
import type { RejectedReason, ResultOutcome } from './page-view';

/** A sentence whose grammatical subject is the operator. */
type OperatorSentence = (operator: string) => string;
/** A sentence that names a button, by its label. */
type ButtonSentence = (button: string) => string;

export interface PageTexts {
  /** The language's name in the language itself, for the language switch. */
  readonly languageName: string;
  /** Accessible name of the language switch. */
  readonly languageSwitch: string;
  readonly labels: {
    readonly request: string;
    readonly requestNumber: string;
    readonly receivedAt: string;
    readonly dueAt: string;
    readonly destructionBy: string;
    readonly restrictedSince: string;
    readonly newAddress: string;
    readonly questions: string;
  };
  readonly whatWillHappen: string;
  readonly yourAnswer: string;
  /** What will be done, per kind (confirm and dispute pages, confirmed result). */
  readonly willDo: Readonly<Record<RequestKind, OperatorSentence>>;
  readonly confirm: {
    readonly title: string;
    readonly intro: string;
    readonly changesIntro: OperatorSentence;
    readonly changesCaption: string;
    readonly dataColumn: string;
    readonly newValueColumn: string;
    readonly notChanged: string;
    readonly rejectedReasons: Readonly<Record<RejectedReason, string>>;
    readonly rejectedHint: string;
    readonly noValidChanges: string;
    readonly dataItemsIntro: OperatorSentence;
    readonly confirmHelp: ButtonSentence;
    readonly notMeHelp: ButtonSentence;
    readonly notMeButton: string;
  };
  readonly dispute: {
    readonly title: string;
    readonly intro: string;
    readonly cancelHelp: ButtonSentence;
    readonly ifYouSentIt: string;
    readonly cancelButton: string;
  };
  readonly liftRestriction: {
    readonly title: string;
    readonly intro: string;
    readonly willDo: OperatorSentence;
    readonly confirmHelp: ButtonSentence;
    readonly ignore: string;
  };
  readonly confirmAddress: {
    readonly title: string;
    readonly intro: string;
    readonly willDo: OperatorSentence;
    readonly confirmHelp: ButtonSentence;
    readonly ignore: string;
  };
  readonly unsubscribe: {
    readonly title: string;
    readonly willDo: OperatorSentence;
    readonly help: ButtonSentence;
    readonly ignore: string;
    readonly button: string;
  };
  readonly result: Readonly<
    Record<ResultOutcome, { readonly title: string; readonly body: OperatorSentence }>
  >;
  /** Said on the too-late result, followed by the support address: what to do if the person did not send it. */
  readonly tooLateHelp: string;
  /** Unknown, expired and used links alike: the text must not tell the three apart. */
  readonly unavailable: {
    readonly title: string;
    readonly body: string /** Followed by the support address. */;
    readonly help: string;
  };
  readonly tooManyAttempts: { readonly title: string; readonly body: string };
  readonly notFound: { readonly title: string; readonly body: string };
}

const EN: PageTexts = {
  languageName: 'English',
  languageSwitch: 'Language',
  labels: {
    request: 'Request',
    requestNumber: 'Request number',
    receivedAt: 'Received',
    dueAt: 'To be done by',
    destructionBy: 'Data to be destroyed by',
    restrictedSince: 'Blocked since',
    newAddress: 'New email address',
    questions: 'Questions about your personal data',
  },
  whatWillHappen: 'What will happen',
  yourAnswer: 'Your answer',
  // The mail's sentence, word for word (../replies/reply-templates.ts).
  willDo: WILL_DO.en,
  confirm: {
    title: 'Confirm your request',
    intro:
      'We received this request from your email address. To protect your data, we carry it out only after you confirm that you sent it.',
    changesIntro: (op) => `${op} will make these changes to your personal data:`,
    changesCaption: 'Changes',
    dataColumn: 'Data',
    newValueColumn: 'New value',
    notChanged: 'Will not be changed',
    rejectedReasons: {
      'invalid-phone': 'not a valid phone number',
      'invalid-email': 'not a valid email address',
      'invalid-date': 'not a valid date',
    },
    rejectedHint: 'To change these, send a new request with a correct value.',
    noValidChanges: 'None of the values in your message can be used, so no data will be changed.',
    dataItemsIntro: (op) => `${op} will stop disseminating these personal data:`,
    confirmHelp: (button) => `If you sent this request, press “${button}” and it will be carried out.`,
    notMeHelp: (button) =>
      `If you did not send it, press “${button}”: the request will be cancelled and nothing will change.`,
    notMeButton: 'This was not me',
  },
  dispute: {
    title: 'Did you send this request?',
    intro:
      'We received this request from your email address. Your mail provider had signed the message, so the request was accepted without asking you to confirm it.',
    cancelHelp: (button) =>
      `If you did not send this request, press “${button}”. It will be cancelled if it has not been carried out yet.`,
    ifYouSentIt: 'If you sent it yourself, you do not need to do anything.',
    cancelButton: 'Cancel this request',
  },
  liftRestriction: {
    title: 'Lift the blocking of your data',
    intro: 'Your personal data are blocked: their processing is paused.',
    willDo: (op) =>
      `Once you confirm, ${op} will lift the blocking and resume processing your personal data.`,
    confirmHelp: (button) => `To lift the blocking, press “${button}”.`,
    ignore: 'If you do not want to lift it, close this page: nothing will change.',
  },
  confirmAddress: {
    title: 'Confirm your new email address',
    intro:
      'You asked to change the email address in your personal data. This page was opened from a link sent to the new address.',
    willDo: (op) => `Once you confirm, ${op} will use the new address instead of the old one.`,
    confirmHelp: (button) => `If you asked for this change, press “${button}”.`,
    ignore: 'If you did not ask for it, close this page: nothing will change.',
  },
  unsubscribe: {
    title: 'Unsubscribe from marketing',
    willDo: (op) => `${op} will stop sending marketing messages to this address.`,
    help: (button) => `To unsubscribe, press “${button}”.`,
    ignore: 'If you want to keep receiving them, close this page.',
    button: 'Unsubscribe',
  },
  result: {
    confirmed: { title: 'Request confirmed', body: () => 'Thank you: your request has been confirmed.' },
    cancelled: {
      title: 'Request cancelled',
      body: () => 'The request has been cancelled and will not be carried out. Nothing has changed.',
    },
    lifted: {
      title: 'Blocking lifted',
      body: () => 'The blocking has been lifted: processing of your personal data has resumed.',
    },
    'address-confirmed': {
      title: 'Email address confirmed',
      body: () => 'Your new email address has been confirmed.',
    },
    unsubscribed: {
      title: 'You have unsubscribed',
      body: (op) => `Done: ${op} will send you no more marketing messages.`,
    },
    'sent-to-staff': {
      title: 'Passed to our staff',
      body: () =>
        'Your answer has been recorded and passed to our staff. They will look into the request and write to you if needed.',
    },
    'too-late': {
      title: 'This can no longer be changed',
      body: () =>
        'The request is already being carried out or has been carried out, so it can no longer be cancelled or changed here.',
    },
  },
  tooLateHelp: 'If you did not send this request, write to us and quote the request number:',
  unavailable: {
    title: 'This link does not work',
    body: 'The link may have expired or may already have been used.',
    help: 'If you need help with your personal data, write to us:',
  },
  tooManyAttempts: {
    title: 'Too many attempts',
    body: 'Please wait a few minutes and try again.',
  },
  notFound: {
    title: 'Page not found',
    body: 'Check that the link was copied from the email in full.',
  },
};

const RU: PageTexts = {
  languageName: 'Русский',
  languageSwitch: 'Язык',
  labels: {
    request: 'Запрос',
    requestNumber: 'Номер запроса',
    receivedAt: 'Получен',
    dueAt: 'Срок выполнения',
    destructionBy: 'Срок уничтожения данных',
    restrictedSince: 'Заблокированы с',
    newAddress: 'Новый адрес электронной почты',
    questions: 'Вопросы о ваших персональных данных',
  },
  whatWillHappen: 'Что произойдёт',
  yourAnswer: 'Ваш ответ',
  // The mail's sentence, word for word (../replies/reply-templates.ts).
  willDo: WILL_DO.ru,
  confirm: {
    title: 'Подтвердите запрос',
    intro:
      'Мы получили этот запрос с вашего адреса электронной почты. Чтобы защитить ваши данные, мы выполним его только после того, как вы подтвердите, что отправили его.',
    changesIntro: (op) => `${op} внесёт в ваши персональные данные следующие изменения:`,
    changesCaption: 'Изменения',
    dataColumn: 'Данные',
    newValueColumn: 'Новое значение',
    notChanged: 'Не будет изменено',
    rejectedReasons: {
      'invalid-phone': 'некорректный номер телефона',
      'invalid-email': 'некорректный адрес электронной почты',
      'invalid-date': 'некорректная дата',
    },
    rejectedHint: 'Чтобы изменить эти данные, отправьте новый запрос с правильным значением.',
    noValidChanges:
      'Ни одно из значений в вашем письме не может быть использовано, поэтому данные не изменятся.',
    dataItemsIntro: (op) => `${op} прекратит распространение следующих персональных данных:`,
    confirmHelp: (button) => `Если запрос отправили вы, нажмите «${button}» — и он будет выполнен.`,
    notMeHelp: (button) =>
      `Если вы его не отправляли, нажмите «${button}»: запрос будет отменён, ничего не изменится.`,
    notMeButton: 'Это не я',
  },
  dispute: {
    title: 'Вы отправляли этот запрос?',
    intro:
      'Мы получили этот запрос с вашего адреса электронной почты. Письмо было подписано вашим почтовым сервисом, поэтому запрос принят без дополнительного подтверждения.',
    cancelHelp: (button) =>
      `Если вы не отправляли этот запрос, нажмите «${button}». Запрос будет отменён, если он ещё не выполнен.`,
    ifYouSentIt: 'Если запрос отправили вы, ничего делать не нужно.',
    cancelButton: 'Отменить этот запрос',
  },
  liftRestriction: {
    title: 'Снятие блокировки ваших данных',
    intro: 'Ваши персональные данные заблокированы: их обработка приостановлена.',
    willDo: (op) =>
      `После подтверждения ${op} снимет блокировку и возобновит обработку ваших персональных данных.`,
    confirmHelp: (button) => `Чтобы снять блокировку, нажмите «${button}».`,
    ignore: 'Если вы не хотите снимать блокировку, просто закройте эту страницу — ничего не изменится.',
  },
  confirmAddress: {
    title: 'Подтвердите новый адрес электронной почты',
    intro:
      'Вы попросили изменить адрес электронной почты в ваших персональных данных. Эта страница открыта по ссылке, отправленной на новый адрес.',
    willDo: (op) => `После подтверждения ${op} будет использовать новый адрес вместо старого.`,
    confirmHelp: (button) => `Если изменение запросили вы, нажмите «${button}».`,
    ignore: 'Если вы его не запрашивали, просто закройте эту страницу — ничего не изменится.',
  },
  unsubscribe: {
    title: 'Отказ от рекламных рассылок',
    willDo: (op) => `${op} прекратит присылать рекламные сообщения на этот адрес.`,
    help: (button) => `Чтобы отписаться, нажмите «${button}».`,
    ignore: 'Если вы хотите и дальше их получать, просто закройте эту страницу.',
    button: 'Отписаться',
  },
  result: {
    confirmed: { title: 'Запрос подтверждён', body: () => 'Спасибо, ваш запрос подтверждён.' },
    cancelled: {
      title: 'Запрос отменён',
      body: () => 'Запрос отменён и не будет выполнен. Ничего не изменилось.',
    },
    lifted: {
      title: 'Блокировка снята',
      body: () => 'Блокировка снята: обработка ваших персональных данных возобновлена.',
    },
    'address-confirmed': {
      title: 'Адрес подтверждён',
      body: () => 'Ваш новый адрес электронной почты подтверждён.',
    },
    unsubscribed: {
      title: 'Вы отписались',
      body: (op) => `Готово: ${op} больше не будет присылать вам рекламные сообщения.`,
    },
    'sent-to-staff': {
      title: 'Передано сотрудникам',
      body: () =>
        'Ваш ответ записан и передан нашим сотрудникам. Они рассмотрят запрос и при необходимости напишут вам.',
    },
    'too-late': {
      title: 'Изменить запрос уже нельзя',
      body: () => 'Запрос уже выполняется или выполнен, поэтому отменить или изменить его здесь нельзя.',
    },
  },
  tooLateHelp: 'Если вы не отправляли этот запрос, напишите нам и укажите номер запроса:',
  unavailable: {
    title: 'Ссылка не работает',
    body: 'Возможно, срок её действия истёк или она уже была использована.',
    help: 'Если вам нужна помощь с вашими персональными данными, напишите нам:',
  },
  tooManyAttempts: {
    title: 'Слишком много попыток',
    body: 'Подождите несколько минут и попробуйте снова.',
  },
  notFound: {
    title: 'Страница не найдена',
    body: 'Проверьте, что ссылка скопирована из письма полностью.',
  },
};

const KY: PageTexts = {
  languageName: 'Кыргызча',
  languageSwitch: 'Тил',
  labels: {
    request: 'Суроо-талап',
    requestNumber: 'Суроо-талаптын номери',
    receivedAt: 'Алынган убакыт',
    dueAt: 'Аткаруунун акыркы мөөнөтү',
    destructionBy: 'Маалыматтарды жок кылуунун акыркы мөөнөтү',
    restrictedSince: 'Бөгөттөлгөн убакыт',
    newAddress: 'Жаңы электрондук почта дареги',
    questions: 'Жеке маалыматтарыңыз боюнча суроолор',
  },
  whatWillHappen: 'Эмне болот',
  yourAnswer: 'Сиздин жообуңуз',
  // The mail's sentence, word for word (../replies/reply-templates.ts).
  willDo: WILL_DO.ky,
  confirm: {
    title: 'Суроо-талабыңызды ырастаңыз',
    intro:
      'Бул суроо-талап сиздин электрондук почта дарегиңизден келди. Маалыматтарыңызды коргоо үчүн биз аны сиз жөнөткөнүңүздү ырастагандан кийин гана аткарабыз.',
    changesIntro: (op) => `${op} жеке маалыматтарыңызга төмөнкү өзгөртүүлөрдү киргизет:`,
    changesCaption: 'Өзгөртүүлөр',
    dataColumn: 'Маалымат',
    newValueColumn: 'Жаңы мааниси',
    notChanged: 'Өзгөртүлбөйт',
    rejectedReasons: {
      'invalid-phone': 'телефон номери туура эмес',
      'invalid-email': 'электрондук почта дареги туура эмес',
      'invalid-date': 'дата туура эмес',
    },
    rejectedHint: 'Бул маалыматтарды өзгөртүү үчүн туура маани менен жаңы суроо-талап жөнөтүңүз.',
    noValidChanges: 'Катыңыздагы маанилердин бири да колдонулбайт, ошондуктан маалыматтар өзгөрбөйт.',
    dataItemsIntro: (op) => `${op} төмөнкү жеке маалыматтарды жайылтууну токтотот:`,
    confirmHelp: (button) =>
      `Эгер бул суроо-талапты сиз жөнөтсөңүз, «${button}» баскычын басыңыз — ал аткарылат.`,
    notMeHelp: (button) =>
      `Эгер сиз жөнөтпөсөңүз, «${button}» баскычын басыңыз: суроо-талап жокко чыгарылат, эч нерсе өзгөрбөйт.`,
    notMeButton: 'Бул мен эмесмин',
  },
  dispute: {
    title: 'Бул суроо-талапты сиз жөнөттүңүзбү?',
    intro:
      'Бул суроо-талап сиздин электрондук почта дарегиңизден келди. Катыңыз почта кызматыңыз тарабынан кол коюлган, ошондуктан суроо-талап кошумча ырастоосуз кабыл алынды.',
    cancelHelp: (button) =>
      `Эгер бул суроо-талапты сиз жөнөтпөсөңүз, «${button}» баскычын басыңыз. Суроо-талап али аткарыла элек болсо, ал жокко чыгарылат.`,
    ifYouSentIt: 'Эгер аны сиз жөнөтсөңүз, эч нерсе кылуунун кереги жок.',
    cancelButton: 'Бул суроо-талапты жокко чыгаруу',
  },
  liftRestriction: {
    title: 'Маалыматтарыңыздын бөгөтүн алуу',
    intro: 'Жеке маалыматтарыңыз бөгөттөлгөн: аларды иштеп чыгуу убактылуу токтотулган.',
    willDo: (op) =>
      `Ырастагандан кийин ${op} бөгөттү алып, жеке маалыматтарыңызды иштеп чыгууну кайра баштайт.`,
    confirmHelp: (button) => `Бөгөттү алуу үчүн «${button}» баскычын басыңыз.`,
    ignore: 'Эгер бөгөттү алгыңыз келбесе, бул бетти жабыңыз — эч нерсе өзгөрбөйт.',
  },
  confirmAddress: {
    title: 'Жаңы электрондук почта дарегиңизди ырастаңыз',
    intro:
      'Сиз жеке маалыматтарыңыздагы электрондук почта дарегин өзгөртүүнү сурангансыз. Бул бет жаңы дарекке жөнөтүлгөн шилтеме аркылуу ачылды.',
    willDo: (op) => `Ырастагандан кийин ${op} эски даректин ордуна жаңы даректи колдонот.`,
    confirmHelp: (button) => `Эгер бул өзгөртүүнү сиз сураган болсоңуз, «${button}» баскычын басыңыз.`,
    ignore: 'Эгер сиз сурабасаңыз, бул бетти жабыңыз — эч нерсе өзгөрбөйт.',
  },
  unsubscribe: {
    title: 'Жарнамалык билдирүүлөрдөн баш тартуу',
    willDo: (op) => `${op} бул дарекке жарнамалык билдирүүлөрдү жөнөтүүнү токтотот.`,
    help: (button) => `Жарнамалык билдирүүлөрдөн баш тартуу үчүн «${button}» баскычын басыңыз.`,
    ignore: 'Эгер аларды ала бергиңиз келсе, бул бетти жабыңыз.',
    button: 'Жазылуудан чыгуу',
  },
  result: {
    confirmed: { title: 'Суроо-талап ырасталды', body: () => 'Рахмат, суроо-талабыңыз ырасталды.' },
    cancelled: {
      title: 'Суроо-талап жокко чыгарылды',
      body: () => 'Суроо-талап жокко чыгарылды жана аткарылбайт. Эч нерсе өзгөргөн жок.',
    },
    lifted: {
      title: 'Бөгөт алынды',
      body: () => 'Бөгөт алынды: жеке маалыматтарыңызды иштеп чыгуу кайра башталды.',
    },
    'address-confirmed': {
      title: 'Дарек ырасталды',
      body: () => 'Жаңы электрондук почта дарегиңиз ырасталды.',
    },
    unsubscribed: {
      title: 'Сиз жазылуудан чыктыңыз',
      body: (op) => `Даяр: ${op} мындан ары сизге жарнамалык билдирүүлөрдү жөнөтпөйт.`,
    },
    'sent-to-staff': {
      title: 'Кызматкерлерге өткөрүлдү',
      body: () =>
        'Жообуңуз катталып, кызматкерлерибизге өткөрүлүп берилди. Алар суроо-талапты карап чыгып, зарыл болсо сизге жазышат.',
    },
    'too-late': {
      title: 'Суроо-талапты эми өзгөртүүгө болбойт',
      body: () =>
        'Суроо-талап аткарылып жатат же аткарылып бүткөн, ошондуктан аны бул жерден жокко чыгарууга же өзгөртүүгө болбойт.',
    },
  },
  tooLateHelp: 'Эгер бул суроо-талапты сиз жөнөтпөсөңүз, суроо-талаптын номерин көрсөтүп, бизге жазыңыз:',
  unavailable: {
    title: 'Шилтеме иштебейт',
    body: 'Шилтеменин мөөнөтү бүткөн же ал мурда колдонулган болушу мүмкүн.',
    help: 'Жеке маалыматтарыңыз боюнча жардам керек болсо, бизге жазыңыз:',
  },
  tooManyAttempts: {
    title: 'Аракеттер өтө көп',
    body: 'Бир нече мүнөт күтүп, кайра аракет кылыңыз.',
  },
  notFound: {
    title: 'Бет табылган жок',
    body: 'Шилтеме каттан толук көчүрүлгөнүн текшериңиз.',
  },
};

export const PAGE_TEXTS: Readonly<Record<Language, PageTexts>> = { ky: KY, ru: RU, en: EN };
