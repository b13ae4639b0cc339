/**
 * The subject tags makul recognises: pure data, compiled before the build (./compile-phrase-tables.ts)
 * into ./phrase-tables.generated.ts, which is what the functions load; this file is not in their bundles.
 *
 * One entry per kind × language. `canonical` is the tag the operator publishes (the exact policy wording
 * where a policy gives one); `shortForms` are what people actually type. To support a new phrasing, add a
 * pattern here and a test case in test/unit/domain/classify/classify-request.test.ts, then regenerate the
 * compiled tables: `npx vitest run test/unit/domain/classify/phrase-tables-generated.test.ts -u` (the
 * test fails until you do) — no code change is needed.
 *
 * Pattern syntax (patterns are matched against the normalised subject: lower case, ё → е, punctuation
 * and quotes turned into spaces, reply prefixes removed):
 * - words are separated by single spaces; a tag matches at the start of the subject (after greetings and
 *   request words, see LEADING_FILLERS) and any words may follow it ("Unsubscribe please");
 * - `a|b|c` — any of these words;
 * - `word*` — any word that starts with `word` (Russian and Kyrgyz inflect: «отпис*» covers «отписаться»,
 *   «отписка», «отписываюсь»);
 * - a trailing `?` makes the whole word optional (`мои|моих?`);
 * - a final `$` word means nothing may follow (used for bare words such as "stop" that are only a request
 *   when they are the whole subject).
 *
 * When several tags match at the same place the one covering more words wins, so a specific phrase such as
 * «Отзыв согласия на рассылку» (unsubscribe) beats the generic «Отзыв согласия» (withdraw-consent); on a
 * tie the earlier entry in this table wins.
 *
 * Things deliberately left out, because they would catch ordinary support mail:
 * - bare «баш тартуу» / «отказ» / "cancel" (refuse what?), bare «доступ» / "access" (account access),
 *   «блокировка» / "block" without "data" (card or account locks), «маалымат алуу» without «жеке» or a
 *   possessive (any information request);
 * - "subscribe", «подписаться», «не отписывайте» — the opposite of a request, they never match because a
 *   tag must open the subject and no pattern starts with them.
 */
import type { Language, RequestKind } from '../requests/request-kinds';

export interface SubjectTagEntry {
  readonly kind: RequestKind;
  readonly language: Language;
  /**
   * The published tag, plain text. When long (three words and 24 characters or more) it also matches,
   * written exactly, in the middle of a subject.
   */
  readonly canonical: string;
  /** Further patterns in the syntax above, matched at the start of the subject only. */
  readonly shortForms: readonly string[];
}

// Reusable word alternatives. Russian possessives and "personal/private" are optional everywhere: people
// write «удалить данные», «удалить мои данные» and «удалить мои персональные данные» for the same thing.
const RU_MY = 'мои|моих|моим|мой|мою|моей|мое|моего|свои|своих|свое|своего?';
const RU_PERSONAL = 'персональн*|личн*?';
const RU_CONSENT_VERB = 'отзыв*|отозв*|отмен*|аннулир*';
const EN_MY = 'my|all|the?';

export const SUBJECT_TAGS: readonly SubjectTagEntry[] = [
  // --- unsubscribe: stop marketing (policy 004 §7.2; 38-FZ art. 18) -------------------------------------
  {
    kind: 'unsubscribe',
    language: 'ky',
    canonical: 'Жаңы продукттар жана кызматтар жана атайын сунуштар жөнүндө билдирүүлөрдөн баш тартуу',
    shortForms: [
      // The policy phrase with its conjunctions and qualifiers dropped, as people shorten it.
      'жаңы продукттар жана? кызматтар жана? атайын? сунуштар жөнүндө? билдирүүлөрдөн баш тарт*',
      // "Refuse (advertising / informational) notifications, letters, mailings": the object makes
      // «баш тартуу» unambiguous. §7.2 itself says «маалыматтык билдирүүлөрдү алуудан баш тарта алат».
      'жарнамалык|маалыматтык? билдирүүлөрдөн|каттардан|жөнөтүүлөрдөн|рассылкадан|жарнамадан баш тарт*',
      'жарнамалык|маалыматтык? билдирүүлөрдү|каттарды алуудан баш тарт*',
      // "Leave / refuse the subscription" (жазылуу = subscription; «подписка», «рассылка» are common loans).
      'жазылуудан|подпискадан|рассылкадан чыг*',
      'жазылуудан|подпискадан баш тарт*',
      'жазылууну|подписканы|рассылканы|билдирүүлөрдү|жарнаманы токтот*|өчүр*',
      // "(From now on) do not send me (advertising) notifications / letters / ads".
      'мындан? ары? мага? жарнамалык|маалыматтык? билдирүү*|кат|каттар*|жарнама*|рассылка* жибербе*',
    ],
  },
  {
    kind: 'unsubscribe',
    language: 'ru',
    canonical: 'Отказ от уведомлений о новых продуктах и услугах и специальных предложениях',
    shortForms: [
      // «Отписаться», «отписка», «отписываюсь», «отпишите меня».
      'отпис*',
      'отпиш*',
      // «Отказ от рассылки / рекламы / уведомлений / получения рекламных рассылок»; also covers the policy
      // phrase written with commas or a missing «и».
      `отказ* от получения? рекламн*|маркетингов*|информационн*? рассыл*|реклам*|уведомлен*|писем|сообщени*|новост*|маркетинг*|спам*|подписк*`,
      'отмен* подписк*|рассыл*',
      `прекрат*|прекращен*|останов*|отключ* рекламн*|маркетингов*|информационн*? рассыл*|реклам*|спам*|уведомлен*`,
      'прекрат*|перестаньте|хватит присыл*|отправл*|слать мне? реклам*|рассыл*|письма|спам*|уведомлен*',
      'не|больше присылай*|отправляй*|присылать|отправлять мне? больше? реклам*|рассыл*|письма|спам*|уведомлен*',
      'больше не присылай*|отправляй*|пишите',
      'не хочу больше? получать реклам*|рассыл*|письма|спам*|уведомлен*',
      // «Удалите меня из рассылки», «исключить из списка рассылки» — the list, not the data.
      'удал*|исключ*|убер*|отключ* меня? из|от рассыл*|подписк*',
      'удал*|исключ*|убер* меня? из списк* рассыл*|email*',
      // Withdrawing consent *to marketing* is an unsubscribe: longer than the bare «отзыв согласия», so it wins.
      `${RU_CONSENT_VERB} ${RU_MY} согласи* на|о получени*? рекламн*|маркетингов*|информационн*? рассыл*|реклам*|уведомлен*|маркетинг*|писем|сообщени*`,
      // The SMS convention, only when it is the whole subject.
      'стоп $',
    ],
  },
  {
    kind: 'unsubscribe',
    language: 'en',
    canonical: 'unsubscribe',
    shortForms: [
      'unsubscribe|unsubscribing|unsub',
      'opt|opting out',
      'optout',
      'stop sending? me? marketing|promotional|promotions|advertising|adverts|ads|newsletters|newsletter|offers|emails|mails',
      'no more marketing|promotional|promotions|advertising|adverts|ads|newsletters|newsletter|offers|emails|mails',
      'remove|take me|us off|from your|the|this? mailing|email? list|lists',
      'remove|take|delete my email|address address? off|from your|the|this? mailing|email? list|lists',
      'marketing|email|newsletter opt|unsubscribe',
      // Consent withdrawn *for marketing*: longer than "withdraw consent", so it wins.
      'withdraw|withdrawal|revoke|revocation of? my? consent|permission to|for marketing|newsletters|emails|promotional|advertising',
      // Bare words that are requests only when they are the whole subject.
      'stop $',
      'remove me $',
    ],
  },

  // --- update-data: correct / actualise personal data (004 §10.3; 000 §4 «тактоо»; 152-FZ art. 21) -----
  {
    kind: 'update-data',
    language: 'ky',
    canonical: 'Жеке маалыматтарды актуалдаштыруу',
    shortForms: [
      // «актуалдаштыруу» (policy), «тактоо» (000 §4, clarify), «жаңыртуу» (update), «өзгөртүү» (change),
      // «оңдоо» (fix); «маалымат*» also covers «маалыматтарымды» (my data).
      'жеке? маалымат* актуалдаштыр*|такто*|жаңырт*|өзгөрт*|оңдо*',
      // "My (personal) data is wrong / outdated".
      'жеке? маалыматтарым*|маалыматым* туура|так эмес',
      'жеке? маалыматтарым*|маалыматым* эскир*',
      // Phone number / address / e-mail change.
      'телефон*|дарег*|почта* номер*? өзгөр*|жаңырт*|такто*',
    ],
  },
  {
    kind: 'update-data',
    language: 'ru',
    canonical: 'Актуализация персональных данных',
    shortForms: [
      // «Актуализация / исправление / изменение / уточнение (152-FZ art. 21) / обновление данных».
      `актуализ*|исправ*|измен*|уточн*|обнов*|корректир* ${RU_MY} ${RU_PERSONAL} данн*|сведени*`,
      // Named fields: «смена номера телефона», «изменить адрес почты» (not «пароль»: that is account support).
      'смен*|измен*|исправ*|обнов* номер*|телефон*|фамили*|адрес*|почт*|email|имени|имя|паспорт*',
      // «Мои данные устарели / неверные».
      `мои ${RU_PERSONAL} данн* устарел*|неверн*|некорректн*|неактуальн*|изменил*`,
    ],
  },
  {
    kind: 'update-data',
    language: 'en',
    canonical: 'update personal data',
    shortForms: [
      'update|updating|correct|correcting|rectify|change|amend|fix my personal? data|details|information|info',
      'update|updating|correct|correcting|rectify|change|amend|fix personal data|details|information|info',
      'correction|rectification|update|change|amendment of my personal? data|details|information|info',
      'correction|rectification|update|change|amendment of personal data|details|information|info',
      'personal? data correction|rectification',
      'personal data update|change',
      'change|update|correct|fix my email|phone|address|name|surname|birthday|passport|contact|contacts',
      'my personal? data|details|information is|are incorrect|wrong|outdated|inaccurate|out|not',
    ],
  },

  // --- withdraw-consent (004 §10.4; 000 §4 «макулдукту кайтарып алуу»; 152-FZ art. 9 part 2, 21 part 5) --
  {
    kind: 'withdraw-consent',
    language: 'ky',
    canonical: 'Жеке маалыматтарды иштеп чыгууга макулдукту артка чакыртып алуу',
    shortForms: [
      // «Макулдукту (артка) кайтарып / чакыртып алуу»: «макулду*» covers «макулдукту», «макулдугумду».
      'макулду* артка? кайтарып|чакыртып|чакырып ал*',
      'макулду* жокко чыгар*',
      'макулду* баш тарт*',
      // The policy phrase with 000's «иштетүүгө» (processing) and optional «берилген» (given).
      'жеке? маалымат* иштеп? чыгууга|иштетүүгө берилген? макулду* артка? кайтарып|чакыртып|чакырып ал*',
      // "Stop processing (my) personal data": under 152-FZ art. 21 part 5 that is what withdrawal does.
      // The temporary form («убактылуу») is restrict, listed there.
      'жеке? маалымат* иштеп? чыгууну|иштетүүнү токтот*',
      'жеке? маалымат* иштетпе*|иштебе*',
    ],
  },
  {
    kind: 'withdraw-consent',
    language: 'ru',
    canonical: 'Отзыв согласия на обработку персональных данных',
    shortForms: [
      // «Отзыв согласия», «отозвать согласие», «отзываю своё согласие», «отмена согласия».
      `${RU_CONSENT_VERB} ${RU_MY} согласи*`,
      // «Прекратить обработку (моих) персональных данных» (152-FZ art. 21 part 5: the effect of withdrawal);
      // data required, so «прекращение обработки заказа» is not caught.
      `прекрат*|прекращен*|останов* обработк*|обрабатыва*|использова* ${RU_MY} ${RU_PERSONAL} данн*`,
      `отказ* от обработк*|использовани* ${RU_MY} ${RU_PERSONAL} данн*`,
      'запрет* на? обработк*',
      `не обрабатыва*|используйте ${RU_MY} ${RU_PERSONAL} данн*`,
      'против обработк*',
    ],
  },
  {
    kind: 'withdraw-consent',
    language: 'en',
    canonical: 'withdraw consent',
    shortForms: [
      'withdraw|withdrawing|revoke|revoking|cancel|retract|rescind my|the? consent',
      'withdrawal|revocation|cancellation of my|the? consent',
      'consent withdrawal|revocation|withdrawn|revoked',
      // GDPR-style "stop processing / object to processing": in 152-FZ terms the consent is withdrawn.
      `stop|cease processing|using my personal? data|information`,
      'object|objection to the? processing',
      'do|don not|t process|use my personal? data|information',
    ],
  },

  // --- access: what data is held and how (004 §4.1, §14.1; 000 §4; 152-FZ art. 14; KG No. 58 art. 17) ----
  {
    kind: 'access',
    language: 'ky',
    // 004 §4.1 «...жеке маалыматтарын иштеп чыгууга тиешелүү маалыматты алууга», as a noun like the other tags.
    canonical: 'Жеке маалыматтарды иштеп чыгууга тиешелүү маалыматты алуу',
    shortForms: [
      // 000 §4 «өзүнүн жеке маалыматтарынын иштетилиши тууралуу маалымат алууга», and "give me …".
      'өзүмдүн|өзүнүн? жеке? маалымат* иштеп? чыгууга|иштетилиши|иштетүүгө|иштетилишине тиешелүү|тууралуу|жөнүндө маалымат* ал*|бер*|суроо',
      // "Information about my data": the possessive makes it about the sender's own data.
      'өзүмдүн? жеке? маалыматтарым*|маалыматым* тууралуу|жөнүндө маалымат*',
      // "Access to personal data" (жетүү); «жеке» is required, a bare «маалыматка жетүү» is any information.
      'жеке маалымат* жетүү*|жеткиликтүүлүк*',
      'маалыматтарыма жетүү*',
      // "What data of mine do you keep / process / have".
      'кандай жеке? маалымат* сакта*|иште*|бар',
    ],
  },
  {
    kind: 'access',
    language: 'ru',
    canonical: 'Запрос на доступ к персональным данным',
    shortForms: [
      `доступ к ${RU_MY} ${RU_PERSONAL} данн*`,
      // «Предоставить / выдать / получить мои персональные данные» — possessive or «персональн*» required.
      `предостав*|выда*|получ* мои|моих|моим ${RU_PERSONAL} данн*|сведени*`,
      'предостав*|выда*|получ* персональн* данн*|сведени*',
      // «Запрос сведений / информации об обработке моих персональных данных» (152-FZ art. 14 part 7).
      'предостав*|выда*|получ*|запрос* сведени*|информаци* о|об обработк*? мои*? персональн*|личн* данн*',
      // «Какие данные обо мне вы храните / у вас есть».
      `какие ${RU_MY} ${RU_PERSONAL} данн*|сведени* обо|у|вы|храни*|храня*|обрабатыва*|есть|имеют*|собира*|собран*`,
      // «Ознакомление с персональными данными» (152-FZ art. 14 wording).
      `ознаком* с|со ${RU_MY} ${RU_PERSONAL} данн*`,
    ],
  },
  {
    kind: 'access',
    language: 'en',
    canonical: 'access my data',
    shortForms: [
      'access to? my|personal personal? data|information|info',
      'subject|data|personal? data? access request|requests',
      'dsar',
      'a? copy of my personal? data|information|info',
      'what|which personal? data|information do|does you|your hold|have|keep|store|process|collect',
      'what|which personal? data|information do|does you|your company? hold|have|keep|store|process|collect',
      'right of|to access',
    ],
  },

  // --- erasure: destroy my data (004 §4.1; 000 §4 «жок кылуу»; 152-FZ art. 21) -----------------------
  {
    kind: 'erasure',
    language: 'ky',
    // 000 §4 «жок кылуу»; 004 §2.14 defines «Жеке маалыматтарды жок кылуу».
    canonical: 'Жеке маалыматтарды жок кылуу',
    shortForms: [
      // «Маалыматтарымды жок кылыңыз / өчүрүңүз» (өчүрүү = delete); «жок» alone means "none", so «кыл*» is required.
      'жеке? маалымат* жок кыл*',
      'жеке? маалымат* өчүр*',
      // Account deletion takes the data with it.
      'аккаунт*|профил*|каттоо* жок кыл*',
      'аккаунт*|профил*|каттоо* өчүр*',
    ],
  },
  {
    kind: 'erasure',
    language: 'ru',
    // 152-FZ's term («уничтожение персональных данных», art. 3 item 8, art. 21).
    canonical: 'Уничтожение персональных данных',
    shortForms: [
      `удал*|уничтож*|стер*|стир* все? ${RU_MY} ${RU_PERSONAL} данн*`,
      // Information / records only when the sender says whose or what kind: «удаление информации» alone is vague.
      `удал*|уничтож*|стер*|стир* все? мои|моих|мою|свою|своих ${RU_PERSONAL} информаци*|сведени*`,
      'удал*|уничтож*|стер*|стир* персональн*|личн* информаци*|сведени*',
      'удал*|уничтож* мой|мою|моего|свой|свою? аккаунт*|профил*|учетн*|кабинет*',
      'право на забвение',
      'забудьте меня',
    ],
  },
  {
    kind: 'erasure',
    language: 'en',
    canonical: 'delete my data',
    shortForms: [
      `delete|erase|remove|destroy|wipe|purge all? of? ${EN_MY} personal? data|information|info|account|profile|details|records`,
      'delete|erase|remove|destroy|wipe|purge personal data|information',
      'erasure|deletion|destruction|removal of my|all|the? personal? data|information|account|profile',
      'personal? data|account erasure|deletion|removal|destruction',
      'erasure|deletion request',
      'right to be? forgotten|erasure',
      'forget me please? $',
    ],
  },

  // --- restrict: block (pause) processing (004 §2.2, §4.1; 000 §4 «бөгөттөө»; 152-FZ art. 21) -------------
  {
    kind: 'restrict',
    language: 'ky',
    // 000 §4 and 004 §2.2 «Жеке маалыматтарды бөгөттөө» (temporary stop of processing).
    canonical: 'Жеке маалыматтарды бөгөттөө',
    shortForms: [
      'жеке? маалымат* бөгөттө*',
      // 004 §2.2 defines blocking as «иштеп чыгууну убактылуу токтотуу» (temporarily stopping processing).
      'жеке? маалымат* иштеп? чыгууну|иштетүүнү убактылуу токтот*',
      'иштеп? чыгууну|иштетүүнү убактылуу токтот*',
      'жеке? маалымат* иштеп? чыгууну|иштетүүнү чектө*',
    ],
  },
  {
    kind: 'restrict',
    language: 'ru',
    // 152-FZ's term («блокирование персональных данных», art. 3 item 7, art. 21).
    canonical: 'Блокирование персональных данных',
    shortForms: [
      // «Блокировка / заблокировать данные» — data required: «блокировка карты / аккаунта» is account support.
      `блокир*|заблокир* ${RU_MY} ${RU_PERSONAL} данн*`,
      `огранич*|приостан* обработк*|обрабатыва*|использовани* ${RU_MY} ${RU_PERSONAL} данн*`,
      // «Ограничение обработки» on its own is the GDPR art. 18 title, specific enough as a whole subject.
      'огранич* обработк* $',
      // «Временно прекратить обработку» — a temporary stop is blocking, a permanent one is withdrawal.
      'временн* прекрат*|прекращен*|приостан*|останов* обработк*',
    ],
  },
  {
    kind: 'restrict',
    language: 'en',
    canonical: 'restrict processing',
    shortForms: [
      'restrict|restricting|limit|suspend|pause|freeze|halt the? processing',
      'restriction|suspension|limitation of the? processing',
      'restrict|block|freeze|lock my personal? data|information',
      'data|processing restriction',
      'right to restriction',
      'temporarily stop|suspend|halt|pause processing',
    ],
  },

  // --- stop-dissemination: stop disseminating data made public (004 §5.8.3; 152-FZ art. 10.1 part 12) --------
  {
    kind: 'stop-dissemination',
    language: 'ky',
    // 004 §5.8.3: the transfer (dissemination) of data permitted for dissemination «токтотулушу керек».
    canonical: 'Жеке маалыматтарды жайылтууну токтотуу',
    shortForms: [
      'жеке? маалымат*? жайылтуу* токтот*',
      'жеке? маалымат*? жайылтпа*',
      'жеке? маалымат*? берүүнү токтот*',
      // Withdrawing the separate consent to dissemination (004 §5.8) — more specific than withdraw-consent.
      'жеке? маалымат*? жайылтуу* үчүн? уруксат? берилген? макулду*|уруксат* артка? кайтарып|чакыртып|чакырып ал*',
    ],
  },
  {
    kind: 'stop-dissemination',
    language: 'ru',
    canonical: 'Прекращение распространения персональных данных',
    shortForms: [
      // «Прекратить распространение», «требование о прекращении распространения», «запрет на распространение».
      'прекрат*|прекращен*|останов*|запрет* на? распростран*|публикац*|публиков*',
      // 152-FZ art. 10.1 part 12 lists «передачи (распространения, предоставления, доступа)»; data required.
      `прекрат*|прекращен*|останов*|запрет* передач*|передава*|предоставлен* ${RU_MY} ${RU_PERSONAL} данн*`,
      `не распростран*|публику* ${RU_MY} ${RU_PERSONAL} данн*`,
      // Withdrawing the consent to dissemination (art. 10.1): longer than «отзыв согласия», so it wins.
      `${RU_CONSENT_VERB} ${RU_MY} согласи* на распростран*`,
      `${RU_CONSENT_VERB} ${RU_MY} согласи* на обработк* ${RU_PERSONAL} данн* разрешенн* для|на? распростран*`,
    ],
  },
  {
    kind: 'stop-dissemination',
    language: 'en',
    canonical: 'stop dissemination',
    shortForms: [
      'stop|cease|end|halt disseminating|dissemination|distributing|distribution|publishing|publication|sharing|disclosing|disclosure',
      'withdraw|withdrawal|revoke|revocation of? my? consent|permission to|for the? dissemination|distribution|publication|publishing|sharing',
      'do|don not|t disseminate|publish|share my',
    ],
  },
];

/**
 * Words people put before the tag: greetings, "please", "I would like to", «прошу», «заявление об».
 * They are skipped one by one at the start of the subject (a bounded number of times) before a tag is
 * looked for, and only when no tag matches at that place. Same pattern syntax; matched exactly.
 */
export const LEADING_FILLERS: Readonly<Record<Language, readonly string[]>> = {
  ky: [
    'саламатсызбы|саламатсыздарбы|салам|саламатчылык|ассалому|ассаламу|алейкум|алейкүм',
    'кутмандуу|кайырлуу күн|кеч|таң?',
    'урматтуу|кымбаттуу',
    'колдоо|кызматы|кызмат',
    'сураныч|өтүнүч|өтүнөм|арыз|суроо',
    'мен|биз|менин|биздин',
  ],
  ru: [
    'здравствуйте|здраствуйте|здравствуй|привет|приветствую',
    'добрый|доброе|доброго|доброй день|дня|вечер|вечера|утро|утра|ночи?',
    'уважаемые|уважаемый|уважаемая|коллеги|господа|служба|поддержк*',
    'прошу|просим|просьба|пожалуйста|пожалуста|плиз',
    'я|мы|мне|нам|вас|вам',
    'хочу|хотим|хотел*|желаю|требую|требуем|бы|необходимо|нужно|срочно',
    'заявление|заявка|запрос|требование|обращение|тема',
    'на|о|об|по|поводу|касательно|насчет',
  ],
  en: [
    'hi|hello|hey|dear|greetings|sir|madam|team|support|urgent|important|attention',
    'good morning|afternoon|evening|day',
    'please|pls|plz|kindly',
    'i|we|hereby|formally|am',
    'want|wish|need|would|d|like|love|to',
    'can|could|would you',
    'request|requesting|gdpr|privacy|subject',
  ],
};

// Normalising uses the reply and forward markers at run time, so they live in ./reply-prefix-words.ts:
// importing them from here would put this whole file back into the bundles.
export { REPLY_PREFIX_WORDS } from './reply-prefix-words';

/** The published tag for a kind in a language (for reply templates and documentation). */
export function canonicalSubjectTag(kind: RequestKind, language: Language): string {
  const entry = SUBJECT_TAGS.find((candidate) => candidate.kind === kind && candidate.language === language);
  // Unreachable while SUBJECT_TAGS has one entry per kind × language (a unit test checks this).
  if (entry === undefined) throw new Error(`No subject tag for ${kind}/${language}`);
  return entry.canonical;
}
