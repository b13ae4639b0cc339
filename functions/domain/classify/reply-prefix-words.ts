/**
 * Reply and forward markers stripped from the start of a subject, in any case, each followed by ":"
 * (optionally with a counter: "Re[2]:", "Re(2):", "RE^2:"). Any leading "[...]" tag such as
 * "[EXTERNAL]" is stripped too. Sources: RFC 5322 §3.6.5 ("Re:"), and the localised forms mail clients
 * write: AW/WG (German), SV/VS (Nordic/Finnish), TR (French), RV (Spanish), Antw (Dutch),
 * Ответ/Отв/Пересл/Переслано (Russian clients), Жооп (Kyrgyz).
 *
 * Data for rule 1 (./normalise-subject.ts), kept apart from ./subject-tags.ts: that file is read before
 * the build only, and importing this list from it kept the whole source tag table in the bundles.
 */
export const REPLY_PREFIX_WORDS: readonly string[] = [
  're',
  'fw',
  'fwd',
  'aw',
  'wg',
  'sv',
  'vs',
  'tr',
  'rv',
  'antw',
  'ответ',
  'отв',
  'пересл',
  'переслано',
  'жооп',
];
