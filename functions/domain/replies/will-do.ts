/**
 * What will be done, per kind and language: one sentence said the same way in the mail
 * (reply-templates.ts, notice-templates.ts) and on the page that confirms it (../pages/page-texts.ts),
 * so the two never promise different things. A module of its own, so the pages carry these sentences
 * without the mails' phrasebooks. The operator's name is the grammatical subject, in the nominative
 * (the grammar rule in reply-templates.ts).
 */
import type { Language, RequestKind } from '../requests/request-kinds';

export type KindSentence = (operator: string) => string;

const EN: Readonly<Record<RequestKind, KindSentence>> = {
  unsubscribe: (op) => `${op} will stop sending you marketing messages.`,
  'update-data': (op) => `${op} will update your personal data as described in your message.`,
  'withdraw-consent': (op) =>
    `${op} will stop processing your personal data on the basis of your consent and will destroy the data it has no other legal ground to keep.`,
  access: (op) => `${op} will send you information about your personal data and how they are processed.`,
  erasure: (op) => `${op} will destroy your personal data, except data that must be kept by law.`,
  restrict: (op) => `${op} will block your personal data, that is, pause their processing.`,
  'stop-dissemination': (op) => `${op} will stop disseminating the personal data named in your message.`,
};

const RU: Readonly<Record<RequestKind, KindSentence>> = {
  unsubscribe: (op) => `${op} прекратит присылать вам рекламные сообщения.`,
  'update-data': (op) => `${op} актуализирует ваши персональные данные в соответствии с вашим письмом.`,
  'withdraw-consent': (op) =>
    `${op} прекратит обработку ваших персональных данных на основании согласия и уничтожит данные, для хранения которых нет иных законных оснований.`,
  access: (op) => `${op} направит вам сведения о ваших персональных данных и об их обработке.`,
  erasure: (op) =>
    `${op} уничтожит ваши персональные данные, кроме тех, которые необходимо хранить по закону.`,
  restrict: (op) => `${op} заблокирует ваши персональные данные, то есть приостановит их обработку.`,
  'stop-dissemination': (op) =>
    `${op} прекратит распространение персональных данных, указанных в вашем письме.`,
};

const KY: Readonly<Record<RequestKind, KindSentence>> = {
  unsubscribe: (op) => `${op} сизге жарнамалык билдирүүлөрдү жөнөтүүнү токтотот.`,
  'update-data': (op) => `${op} катыңызда көрсөтүлгөндөй жеке маалыматтарыңызды актуалдаштырат.`,
  'withdraw-consent': (op) =>
    `${op} макулдугуңуздун негизинде жеке маалыматтарыңызды иштеп чыгууну токтотот жана сактоого башка мыйзамдуу негизи жок маалыматтарды жок кылат.`,
  access: (op) => `${op} сизге жеке маалыматтарыңыз жана аларды иштеп чыгуу тууралуу маалымат жөнөтөт.`,
  erasure: (op) =>
    `${op} мыйзам боюнча сакталууга тийиш болгондордон башка жеке маалыматтарыңызды жок кылат.`,
  restrict: (op) =>
    `${op} жеке маалыматтарыңызды бөгөттөйт, башкача айтканда, аларды иштеп чыгууну убактылуу токтотот.`,
  'stop-dissemination': (op) => `${op} катыңызда көрсөтүлгөн жеке маалыматтарды жайылтууну токтотот.`,
};

export const WILL_DO: Readonly<Record<Language, Readonly<Record<RequestKind, KindSentence>>>> = {
  ky: KY,
  ru: RU,
  en: EN,
};
