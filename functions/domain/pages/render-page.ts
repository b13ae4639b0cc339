/**
 * Renders makul's public pages: pure string building, no I/O (the pages Lambda decides which page
 * applies and sends PAGE_SECURITY_HEADERS with the HTML).
 *
 * Every value that is not a fixed phrase goes through escapeHtml, including the phrasebook sentences
 * (they carry the operator's name). No page has a script, an inline style attribute or an outside
 * asset: the one <style> block is allowed by its hash (page-style.ts).
 *
 * GET only shows; every form POSTs (mail scanners fetch links, so a GET must never act).
 */
import { confirmButtonLabel, escapeHtml, formatReplyDate, kindName } from '../replies/reply-templates';
import { LANGUAGES, type Language } from '../requests/request-kinds';
import { PAGE_STYLE } from './page-style';
import { PAGE_TEXTS, type PageTexts } from './page-texts';
import type { PageContext, PageView, RenderedPage, ResultOutcome } from './page-view';

export { PAGE_SECURITY_HEADERS } from './page-style';
export type { PageContext, PageView, RejectedReason, RenderedPage, ResultOutcome } from './page-view';

/**
 * Status per page.
 * - Pages that show a live link's form: 200.
 * - unavailable: 404 for unknown, expired and used links alike. One status, because a different status
 *   (410 for expired or used) would tell whoever holds a link whether it ever existed; 404 rather than
 *   200 because there is no page behind the link any more, and link checkers and caches should treat it so.
 * - result: 200, except too-late: 409 Conflict (the POST was valid but the request's state no longer
 *   allows the change; a distinct status lets ops count late disputes).
 */
const RESULT_STATUS: Readonly<Record<ResultOutcome, number>> = {
  confirmed: 200,
  cancelled: 200,
  lifted: 200,
  'address-confirmed': 200,
  unsubscribed: 200,
  'sent-to-staff': 200,
  'too-late': 409,
};

/**
 * Where the language links point.
 * - 'self': selfPath?lang=…, on pages of a live link (the same link, re-shown in another language).
 * - 'query-only': "?lang=…", which the browser resolves against the current path. Used on the neutral
 *   pages so their HTML never depends on the link (the token is not echoed; every unknown, expired or
 *   used link gets byte-identical HTML) and an arbitrary path is never reflected.
 * - 'none': result pages answer a POST; re-opening the used link in another language would only show
 *   the "link does not work" page.
 */
type LanguageLinks = 'self' | 'query-only' | 'none';

interface PageParts {
  readonly statusCode: number;
  readonly title: string;
  /** HTML inside <main>, after the <h1>. */
  readonly body: string;
  readonly languageLinks: LanguageLinks;
}

/**
 * A same-origin path for the links and the form action. The Lambda builds selfPath from the request
 * path, which the client controls: "//host" or "/\host" (browsers read "\" as "/", and drop tabs and
 * newlines) would point the language links at another site. Escaping alone cannot prevent that.
 */
function safeSelfPath(selfPath: string): string {
  const withoutFragment = selfPath.split('#', 1)[0] ?? '';
  const encoded = withoutFragment.replace(/[\\\s\p{Cc}]/gu, (character) => encodeURIComponent(character));
  return `/${encoded.replace(/^\/+/, '')}`;
}

function withLanguage(path: string, language: Language): string {
  return `${path}${path.includes('?') ? '&' : '?'}lang=${language}`;
}

function paragraph(text: string): string {
  return `<p>${escapeHtml(text)}</p>`;
}

function facts(rows: readonly (readonly [label: string, value: string] | undefined)[]): string {
  const items = rows
    .filter((row) => row !== undefined)
    .map(([label, value]) => `<div><dt>${escapeHtml(label)}</dt><dd>${escapeHtml(value)}</dd></div>`);
  return items.length === 0 ? '' : `<dl>${items.join('')}</dl>`;
}

function mailLink(address: string): string {
  const escaped = escapeHtml(address);
  return `<a href="mailto:${escaped}">${escaped}</a>`;
}

interface FormButton {
  readonly label: string;
  readonly action: 'confirm' | 'cancel';
  readonly secondary?: boolean;
}

function actionForm(context: PageContext, buttons: readonly FormButton[]): string {
  const controls = buttons
    .map(
      (button) =>
        `<button type="submit" name="action" value="${button.action}"${button.secondary ? ' class="secondary"' : ''}>${escapeHtml(button.label)}</button>`,
    )
    .join('');
  return (
    `<form method="post" action="${escapeHtml(safeSelfPath(context.selfPath))}">` +
    `<input type="hidden" name="lang" value="${context.language}">${controls}</form>`
  );
}

function buildParts(view: PageView, context: PageContext, texts: PageTexts): PageParts {
  const { language, operatorName: operator } = context;
  const date = (value: Date): string => formatReplyDate(value, language, context.timeZone);
  const labels = texts.labels;
  const confirmLabel = confirmButtonLabel(language);

  switch (view.page) {
    case 'confirm': {
      const t = texts.confirm;
      const effects: string[] = [];
      const changes = view.kind === 'update-data' ? (view.changes ?? []) : [];
      const rejected = view.kind === 'update-data' ? (view.rejected ?? []) : [];
      const dataItems = view.kind === 'stop-dissemination' ? (view.dataItems ?? []) : [];
      if (changes.length > 0) {
        const rows = changes
          .map(
            (change) =>
              `<tr><th scope="row">${escapeHtml(change.label)}</th><td class="value">${escapeHtml(change.masked)}</td></tr>`,
          )
          .join('');
        effects.push(
          paragraph(t.changesIntro(operator)),
          `<table><caption>${escapeHtml(t.changesCaption)}</caption>` +
            `<thead><tr><th scope="col">${escapeHtml(t.dataColumn)}</th><th scope="col">${escapeHtml(t.newValueColumn)}</th></tr></thead>` +
            `<tbody>${rows}</tbody></table>`,
        );
      } else if (rejected.length > 0) {
        effects.push(paragraph(t.noValidChanges));
      } else if (dataItems.length > 0) {
        const items = dataItems.map((item) => `<li>${escapeHtml(item)}</li>`).join('');
        effects.push(paragraph(t.dataItemsIntro(operator)), `<ul>${items}</ul>`);
      } else {
        effects.push(paragraph(texts.willDo[view.kind](operator)));
      }
      if (rejected.length > 0) {
        const items = rejected
          .map((item) => `<li>${escapeHtml(`${item.label} — ${t.rejectedReasons[item.reason]}`)}</li>`)
          .join('');
        effects.push(`<h3>${escapeHtml(t.notChanged)}</h3><ul>${items}</ul>`, paragraph(t.rejectedHint));
      }
      if (view.destructionBy !== undefined) {
        effects.push(facts([[labels.destructionBy, date(view.destructionBy)]]));
      }
      return {
        statusCode: 200,
        title: t.title,
        languageLinks: 'self',
        body:
          paragraph(t.intro) +
          facts([
            [labels.request, kindName(view.kind, language)],
            [labels.requestNumber, view.requestId],
            [labels.receivedAt, date(view.receivedAt)],
            [labels.dueAt, date(view.dueAt)],
          ]) +
          `<h2>${escapeHtml(texts.whatWillHappen)}</h2>${effects.join('')}` +
          `<h2>${escapeHtml(texts.yourAnswer)}</h2>` +
          paragraph(t.confirmHelp(confirmLabel)) +
          paragraph(t.notMeHelp(t.notMeButton)) +
          actionForm(context, [
            { label: confirmLabel, action: 'confirm' },
            { label: t.notMeButton, action: 'cancel', secondary: true },
          ]),
      };
    }
    case 'dispute': {
      const t = texts.dispute;
      return {
        statusCode: 200,
        title: t.title,
        languageLinks: 'self',
        body:
          paragraph(t.intro) +
          facts([
            [labels.request, kindName(view.kind, language)],
            [labels.requestNumber, view.requestId],
            [labels.receivedAt, date(view.receivedAt)],
          ]) +
          `<h2>${escapeHtml(texts.whatWillHappen)}</h2>${paragraph(texts.willDo[view.kind](operator))}` +
          `<h2>${escapeHtml(texts.yourAnswer)}</h2>` +
          paragraph(t.cancelHelp(t.cancelButton)) +
          paragraph(t.ifYouSentIt) +
          actionForm(context, [{ label: t.cancelButton, action: 'cancel' }]),
      };
    }
    case 'lift-restriction': {
      const t = texts.liftRestriction;
      return {
        statusCode: 200,
        title: t.title,
        languageLinks: 'self',
        body:
          paragraph(t.intro) +
          facts([
            [labels.restrictedSince, date(view.restrictedSince)],
            [labels.requestNumber, view.requestId],
          ]) +
          paragraph(t.willDo(operator)) +
          paragraph(t.confirmHelp(confirmLabel)) +
          paragraph(t.ignore) +
          actionForm(context, [{ label: confirmLabel, action: 'confirm' }]),
      };
    }
    case 'confirm-address': {
      const t = texts.confirmAddress;
      return {
        statusCode: 200,
        title: t.title,
        languageLinks: 'self',
        body:
          paragraph(t.intro) +
          facts([
            [labels.newAddress, view.maskedAddress],
            [labels.requestNumber, view.requestId],
          ]) +
          paragraph(t.willDo(operator)) +
          paragraph(t.confirmHelp(confirmLabel)) +
          paragraph(t.ignore) +
          actionForm(context, [{ label: confirmLabel, action: 'confirm' }]),
      };
    }
    case 'unsubscribe': {
      const t = texts.unsubscribe;
      // RFC 8058: the one-click POST body is "List-Unsubscribe=One-Click"; the page's own form sends the
      // same field (first) so the Lambda handles both alike, plus the page language for the result page.
      const form =
        `<form method="post" action="${escapeHtml(safeSelfPath(context.selfPath))}">` +
        '<input type="hidden" name="List-Unsubscribe" value="One-Click">' +
        `<input type="hidden" name="lang" value="${language}">` +
        `<button type="submit">${escapeHtml(t.button)}</button></form>`;
      return {
        statusCode: 200,
        title: t.title,
        languageLinks: 'self',
        body: paragraph(t.willDo(operator)) + paragraph(t.help(t.button)) + paragraph(t.ignore) + form,
      };
    }
    case 'result': {
      const t = texts.result[view.outcome];
      const { kind } = view;
      const parts = [paragraph(t.body(operator))];
      if (view.outcome === 'confirmed' && kind !== undefined)
        parts.push(paragraph(texts.willDo[kind](operator)));
      parts.push(
        facts([
          kind === undefined ? undefined : [labels.request, kindName(kind, language)],
          view.requestId === undefined ? undefined : [labels.requestNumber, view.requestId],
          view.dueAt === undefined ? undefined : [labels.dueAt, date(view.dueAt)],
          view.destructionBy === undefined ? undefined : [labels.destructionBy, date(view.destructionBy)],
        ]),
      );
      if (view.outcome === 'too-late') {
        parts.push(`<p>${escapeHtml(texts.tooLateHelp)} ${mailLink(context.supportAddress)}</p>`);
      }
      return {
        statusCode: RESULT_STATUS[view.outcome],
        title: t.title,
        languageLinks: 'none',
        body: parts.join(''),
      };
    }
    case 'unavailable': {
      // Nothing here may depend on the link: unknown, expired and used links must be indistinguishable.
      const t = texts.unavailable;
      return {
        statusCode: 404,
        title: t.title,
        languageLinks: 'query-only',
        body: `${paragraph(t.body)}<p>${escapeHtml(t.help)} ${mailLink(context.supportAddress)}</p>`,
      };
    }
    case 'too-many-attempts': {
      const t = texts.tooManyAttempts;
      return { statusCode: 429, title: t.title, languageLinks: 'query-only', body: paragraph(t.body) };
    }
    case 'not-found': {
      const t = texts.notFound;
      return { statusCode: 404, title: t.title, languageLinks: 'query-only', body: paragraph(t.body) };
    }
    default: {
      const unknown: never = view;
      throw new Error(`Unknown page: ${JSON.stringify(unknown)}`);
    }
  }
}

function languageNav(context: PageContext, texts: PageTexts, links: LanguageLinks): string {
  if (links === 'none') return '';
  const path = links === 'self' ? safeSelfPath(context.selfPath) : '';
  const items = LANGUAGES.map((code) => {
    const current = code === context.language ? ' aria-current="true"' : '';
    const href = escapeHtml(withLanguage(path, code));
    return `<li><a href="${href}" hreflang="${code}" lang="${code}"${current}>${escapeHtml(PAGE_TEXTS[code].languageName)}</a></li>`;
  });
  return `<nav aria-label="${escapeHtml(texts.languageSwitch)}"><ul>${items.join('')}</ul></nav>`;
}

/** Renders one page in context.language; send it with PAGE_SECURITY_HEADERS. */
export function renderPage(view: PageView, context: PageContext): RenderedPage {
  const texts = PAGE_TEXTS[context.language];
  const parts = buildParts(view, context, texts);
  const operator = escapeHtml(context.operatorName);
  const title = escapeHtml(parts.title);
  const html =
    '<!DOCTYPE html>\n' +
    `<html lang="${context.language}">\n<head>\n<meta charset="utf-8">\n` +
    '<meta name="viewport" content="width=device-width, initial-scale=1">\n' +
    // Token pages are private to their recipient: keep them out of search engines.
    '<meta name="robots" content="noindex, nofollow">\n' +
    `<title>${title} — ${operator}</title>\n<style>${PAGE_STYLE}</style>\n</head>\n<body>\n` +
    `<header><p class="operator">${operator}</p>${languageNav(context, texts, parts.languageLinks)}</header>\n` +
    `<main>\n<h1>${title}</h1>\n${parts.body}\n</main>\n` +
    `<footer><p>${escapeHtml(texts.labels.questions)}: ${mailLink(context.supportAddress)}</p></footer>\n` +
    '</body>\n</html>\n';
  return { statusCode: parts.statusCode, html };
}
