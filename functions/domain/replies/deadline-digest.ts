/**
 * The daily deadline digest to the data-protection officer, in the staff's language (Kyrgyz, Russian
 * or English): a subject line with the counts, a plain table of the overdue and the due-soon requests,
 * and the commands that act on them. The deadline monitor (functions/app/monitor-deadlines.ts) decides
 * what goes in and when; this file holds only the words and their layout, so all three languages can be
 * read and reviewed in one place, like staff-texts.ts.
 *
 * No personal data: request numbers, kinds, statuses and dates only (mail servers and ticket systems
 * keep subject lines and bodies widely). No I/O and no clock: the caller gives the time.
 */

import { localDateTime } from '../requests/deadlines';
import type { Language, RequestKind } from '../requests/request-kinds';
import type { RenderedReply } from './reply-templates';
import { escapeHtml } from './reply-templates';

/** One row of the digest. */
export interface DigestEntry {
  readonly requestId: string;
  readonly kind: RequestKind | null;
  readonly status: string;
  readonly dueAt: Date;
  /** Local days since the due date's day (0: it passed today); null for a request not yet due. */
  readonly daysOverdue: number | null;
  /** The data systems whose fulfilment tasks are still open (ids); none when it waits for no system. */
  readonly waitingFor?: readonly string[];
}

export interface DigestInput {
  /** The staff's language: the operator's staffLanguage, else its defaultLanguage. */
  readonly language: Language;
  readonly operatorId: string;
  /** The jurisdiction profile's id (`KG-58`): whose official calendar counts the working days. */
  readonly jurisdiction: string;
  /** The jurisdiction's zone: due dates are shown as the law counts them. */
  readonly timeZone: string;
  /** When the monitor looked. */
  readonly at: Date;
  /** The operator's `dueSoonWorkingDays`: how far ahead "due soon" looks. */
  readonly dueSoonWorkingDays: number;
  /** Most overdue first. */
  readonly overdue: readonly DigestEntry[];
  /** Soonest due first. */
  readonly dueSoon: readonly DigestEntry[];
  /** Requests awaiting the sender's confirmation, overdue or due soon: counted apart, never listed. */
  readonly awaitingVerification: number;
  /**
   * The global options that point the CLI at this deployment, e.g. `--operator x2 --requests-table
   * NAME`: the commands in the digest can then be pasted as they are.
   */
  readonly cliTarget: string;
}

/** Rows shown per table; the rest are counted and `requests list` shows them all. */
export const MAX_DIGEST_ROWS = 100;

interface DigestTexts {
  readonly subject: (operatorId: string, overdue: number, dueSoon: number) => string;
  readonly checked: (at: string, timeZone: string) => string;
  readonly intro: (workingDays: number) => string;
  readonly calendar: (jurisdiction: string) => string;
  readonly overdueTitle: (count: number) => string;
  readonly dueSoonTitle: (count: number) => string;
  readonly columns: {
    readonly request: string;
    readonly kind: string;
    readonly status: string;
    readonly due: (timeZone: string) => string;
    readonly daysOverdue: string;
    readonly waitingFor: string;
  };
  readonly more: (count: number, command: string) => string;
  readonly awaiting: (count: number) => string;
  readonly actionsTitle: string;
  readonly show: string;
  readonly extend: string;
  readonly complete: string;
  readonly reject: string;
  readonly taskDone: string;
  readonly footer: string;
}

/** Russian "working day" after a number, in the genitive that «в течение N …» needs. */
function ruWorkingDays(count: number): string {
  return count % 10 === 1 && count % 100 !== 11 ? 'рабочего дня' : 'рабочих дней';
}

const TEXTS: Readonly<Record<Language, DigestTexts>> = {
  ky: {
    subject: (id, overdue, soon) =>
      `[makul ${id}] Суроо-талаптардын мөөнөттөрү: мөөнөтү өткөн — ${overdue}, мөөнөтү жакында бүтөт — ${soon}`,
    checked: (at, zone) => `Текшерилген убакыт: ${at} (${zone}).`,
    intro: (days) =>
      `Жеке маалыматтар боюнча суроо-талаптардын ичинен мыйзамдуу мөөнөтү өтүп кеткендери же ${
        days === 0 ? 'бүгүн' : `${days} иш күнүнүн ичинде`
      } бүтө тургандары бар.`,
    calendar: (jurisdiction) => `Иш күндөрү расмий календарь боюнча эсептелет (${jurisdiction}).`,
    overdueTitle: (count) => `Мөөнөтү өткөн суроо-талаптар (${count})`,
    dueSoonTitle: (count) => `Мөөнөтү жакында бүтө турган суроо-талаптар (${count})`,
    columns: {
      request: 'Номери',
      kind: 'Түрү',
      status: 'Абалы',
      due: (zone) => `Мөөнөтү (${zone})`,
      daysOverdue: 'Кечиккен күндөр',
      waitingFor: 'Жообу күтүлүп жаткан системалар',
    },
    more: (count, command) => `…жана дагы ${count}. Толук тизме: ${command}`,
    awaiting: (count) =>
      `Жөнөтүүчүнүн ырастоосун күтүп жаткандар — алар адамдын өзүнөн келгени азырынча далилдене элек (жогоруда эсептелген жок): ${count}.`,
    actionsTitle: 'Эмне кылуу керек (ID — суроо-талаптын номери):',
    show: 'суроо-талапты жана анын аудит журналын көрүү',
    extend: 'мыйзам уруксат берсе, мөөнөттү бир жолу узартуу (адамга негиздүү билдирүү жөнөтүлөт)',
    complete: 'суроо-талап аткарылганда, аны аткарылды деп белгилөө',
    reject: 'суроо-талапты аткаруудан негиздүү баш тартуу',
    taskDone: 'система жооп бербесе, жооптуу адам анын тапшырмасын аткарылды деп белгилейт',
    footer:
      'Бул катты makul күнүнө бир жолу автоматтык түрдө жөнөтөт. Катта жеке маалыматтар жок: номерлер, түрлөр, абалдар жана мөөнөттөр гана.',
  },
  ru: {
    subject: (id, overdue, soon) =>
      `[makul ${id}] Сроки запросов: просрочено — ${overdue}, срок скоро истекает — ${soon}`,
    checked: (at, zone) => `Проверено: ${at} (${zone}).`,
    intro: (days) =>
      `Среди запросов о персональных данных есть просроченные или такие, срок ответа на которые истекает ${
        days === 0 ? 'сегодня' : `в течение ${days} ${ruWorkingDays(days)}`
      }.`,
    calendar: (jurisdiction) => `Рабочие дни считаются по официальному календарю (${jurisdiction}).`,
    overdueTitle: (count) => `Просроченные запросы (${count})`,
    dueSoonTitle: (count) => `Запросы, срок которых скоро истекает (${count})`,
    columns: {
      request: 'Номер',
      kind: 'Вид',
      status: 'Статус',
      due: (zone) => `Срок (${zone})`,
      daysOverdue: 'Дней просрочки',
      waitingFor: 'Ждём ответа систем',
    },
    more: (count, command) => `…и ещё ${count}. Полный список: ${command}`,
    awaiting: (count) =>
      `Ожидают подтверждения отправителем — пока не доказано, что их отправил сам субъект (выше не учтены): ${count}.`,
    actionsTitle: 'Что сделать (ID — номер запроса):',
    show: 'посмотреть запрос и его журнал аудита',
    extend:
      'однократно продлить срок, если закон это допускает (человеку отправляется мотивированное уведомление)',
    complete: 'отметить запрос выполненным, когда он выполнен',
    reject: 'мотивированно отказать в выполнении запроса',
    taskDone: 'если система не отвечает, ответственный сотрудник отмечает её задачу выполненной',
    footer:
      'Это письмо makul отправляет автоматически, раз в день. Персональных данных в нём нет: только номера, виды, статусы и сроки.',
  },
  en: {
    subject: (id, overdue, soon) => `[makul ${id}] Request deadlines: ${overdue} overdue, ${soon} due soon`,
    checked: (at, zone) => `Checked: ${at} (${zone}).`,
    intro: (days) =>
      `Some personal-data requests are past their legal due date or due ${
        days === 0 ? 'today' : `within the next ${days} working ${days === 1 ? 'day' : 'days'}`
      }.`,
    calendar: (jurisdiction) => `Working days are counted by the official calendar (${jurisdiction}).`,
    overdueTitle: (count) => `Overdue requests (${count})`,
    dueSoonTitle: (count) => `Requests due soon (${count})`,
    columns: {
      request: 'Request',
      kind: 'Kind',
      status: 'Status',
      due: (zone) => `Due (${zone})`,
      daysOverdue: 'Days overdue',
      waitingFor: 'Waiting for',
    },
    more: (count, command) => `…and ${count} more. The full list: ${command}`,
    awaiting: (count) =>
      `Awaiting the sender's confirmation, not yet proven to come from the person (not counted above): ${count}.`,
    actionsTitle: 'What to do (ID is the request number):',
    show: 'see the request and its audit trail',
    extend: 'extend the term once, where the law allows it (the person is sent a reasoned notice)',
    complete: 'mark the request done, once it is',
    reject: 'refuse the request, with a reason',
    taskDone: 'when a system does not answer, the person responsible marks its task done',
    footer:
      'makul sends this mail automatically, once a day. It holds no personal data: request numbers, kinds, statuses and due dates only.',
  },
};

type Row = readonly string[];

interface Table {
  readonly title: string;
  readonly header: Row;
  readonly rows: readonly Row[];
  /** Shown under the table when rows were left out. */
  readonly more: string | null;
}

function tableOf(
  title: string,
  entries: readonly DigestEntry[],
  input: DigestInput,
  texts: DigestTexts,
  listCommand: string,
): Table {
  const { columns } = texts;
  const shown = entries.slice(0, MAX_DIGEST_ROWS);
  return {
    title,
    header: [
      columns.request,
      columns.kind,
      columns.status,
      columns.due(input.timeZone),
      columns.daysOverdue,
      columns.waitingFor,
    ],
    rows: shown.map((entry) => [
      entry.requestId,
      entry.kind ?? '-',
      entry.status,
      localDateTime(entry.dueAt, input.timeZone),
      entry.daysOverdue === null ? '—' : String(entry.daysOverdue),
      entry.waitingFor && entry.waitingFor.length > 0 ? entry.waitingFor.join(', ') : '—',
    ]),
    more: entries.length > shown.length ? texts.more(entries.length - shown.length, listCommand) : null,
  };
}

/** Columns padded to their widest cell, two spaces apart: a table that reads in any mail client's plain text. */
function tableText(table: Table): string {
  const all = [table.header, ...table.rows];
  const widths = table.header.map((_, column) => Math.max(...all.map((row) => (row[column] ?? '').length)));
  const lines = all.map((row) =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd(),
  );
  return [table.title, '', ...lines, ...(table.more ? ['', table.more] : [])].join('\n');
}

function tableHtml(table: Table): string {
  const cells = (row: Row, tag: 'th' | 'td') =>
    `<tr>${row.map((cell) => `<${tag} style="text-align:left;padding:2px 8px">${escapeHtml(cell)}</${tag}>`).join('')}</tr>`;
  return (
    `<h3>${escapeHtml(table.title)}</h3>\n` +
    `<table style="border-collapse:collapse;font-family:monospace">\n<thead>${cells(table.header, 'th')}</thead>\n` +
    `<tbody>\n${table.rows.map((row) => cells(row, 'td')).join('\n')}\n</tbody>\n</table>` +
    (table.more ? `\n<p>${escapeHtml(table.more)}</p>` : '')
  );
}

/**
 * The digest as a subject line, a plain-text part and an HTML part saying the same. Given only when
 * something is overdue or due soon; the caller decides that.
 */
export function renderDeadlineDigest(input: DigestInput): RenderedReply {
  const texts = TEXTS[input.language];
  const target = input.cliTarget.trim();
  const command = (rest: string) => `npx makul ${rest}${target ? ` ${target}` : ''}`;
  const tables: Table[] = [];
  if (input.overdue.length > 0) {
    tables.push(
      tableOf(
        texts.overdueTitle(input.overdue.length),
        input.overdue,
        input,
        texts,
        command('requests list --overdue'),
      ),
    );
  }
  if (input.dueSoon.length > 0) {
    tables.push(
      tableOf(
        texts.dueSoonTitle(input.dueSoon.length),
        input.dueSoon,
        input,
        texts,
        command(`requests list --due-within ${input.dueSoonWorkingDays}`),
      ),
    );
  }
  const intro = [
    texts.checked(localDateTime(input.at, input.timeZone), input.timeZone),
    texts.intro(input.dueSoonWorkingDays),
    texts.calendar(input.jurisdiction),
  ];
  const awaiting = input.awaitingVerification > 0 ? texts.awaiting(input.awaitingVerification) : null;
  const actions: ReadonlyArray<readonly [string, string]> = [
    [command('requests show ID'), texts.show],
    [command('requests extend ID --reason "…"'), texts.extend],
    [command('requests complete ID'), texts.complete],
    [command('requests reject ID --reason "…"'), texts.reject],
    [command('tasks complete ID SYSTEM --outcome erased|corrected|restricted|not-held'), texts.taskDone],
  ];
  const subject = texts.subject(input.operatorId, input.overdue.length, input.dueSoon.length);

  const text = [
    intro.join('\n'),
    ...tables.map(tableText),
    ...(awaiting ? [awaiting] : []),
    [texts.actionsTitle, ...actions.map(([line, what]) => `- ${line}\n  ${what}`)].join('\n'),
    texts.footer,
  ].join('\n\n');

  const html =
    `<!DOCTYPE html>\n<html lang="${input.language}">\n<head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head>\n<body>\n` +
    `<p>${intro.map(escapeHtml).join('<br>\n')}</p>\n` +
    tables.map(tableHtml).join('\n') +
    (awaiting ? `\n<p>${escapeHtml(awaiting)}</p>` : '') +
    `\n<p>${escapeHtml(texts.actionsTitle)}</p>\n<ul>\n` +
    actions
      .map(([line, what]) => `<li><code>${escapeHtml(line)}</code><br>${escapeHtml(what)}</li>`)
      .join('\n') +
    `\n</ul>\n<p>${escapeHtml(texts.footer)}</p>\n</body>\n</html>\n`;

  return { subject, text: `${text}\n`, html };
}
