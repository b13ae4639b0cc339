/**
 * The one style sheet of the public pages and the response headers that go with it.
 *
 * The sheet is inlined in every page and allowed by its hash in the Content-Security-Policy, so the
 * pages load nothing from anywhere (no fonts, images or CDNs) and run no script: a page that shows a
 * token-bearing form must not be able to leak it or be framed. The hash is computed once, at module load.
 *
 * Colours are chosen for contrast on white (WCAG 2.2 AA and better): text #1b1b1b 17:1, links and
 * buttons #0b4f8a 8.4:1, muted text #4a4a4a 8.9:1, focus ring #b34700 5.5:1 (drawn outside the element,
 * over the white page). Buttons and language links are at least 48 and 44 CSS pixels high (tap targets).
 */
import { createHash } from 'node:crypto';

export const PAGE_STYLE = [
  ':root{color-scheme:light;--ink:#1b1b1b;--muted:#4a4a4a;--accent:#0b4f8a;--focus:#b34700;--rule:#767676}',
  '*{box-sizing:border-box}',
  'body{margin:0;background:#fff;color:var(--ink);font:1.125rem/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans",sans-serif}',
  'header,main,footer{max-width:42rem;margin:0 auto;padding:1rem 1.25rem}',
  'header{display:flex;flex-wrap:wrap;align-items:center;justify-content:space-between;gap:.5rem;border-bottom:1px solid var(--rule)}',
  '.operator{margin:0;font-weight:600}',
  'nav ul{display:flex;flex-wrap:wrap;gap:.25rem;margin:0;padding:0;list-style:none}',
  'nav a{display:inline-block;min-height:44px;padding:.55rem .75rem}',
  'nav a[aria-current]{color:var(--ink);font-weight:700;text-decoration:none;border-bottom:3px solid var(--ink)}',
  'a{color:var(--accent);text-underline-offset:.15em}',
  'h1{font-size:1.75rem;line-height:1.25;margin:1rem 0}',
  'h2{font-size:1.25rem;line-height:1.3;margin:1.75rem 0 .5rem}',
  'h3{font-size:1.125rem;line-height:1.3;margin:1.25rem 0 .25rem}',
  'dl{margin:1rem 0}',
  'dt{font-weight:600}',
  'dd{margin:0 0 .75rem}',
  'dd,td,li{overflow-wrap:anywhere}',
  // A masked value ("+996 555 **-**-56") reads as one thing: never broken at its hyphens or spaces.
  'td.value{white-space:nowrap}',
  'table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem}',
  'caption{text-align:left;font-weight:600;padding:.25rem 0}',
  'th,td{text-align:left;vertical-align:top;padding:.5rem;border-bottom:1px solid var(--rule)}',
  'form{display:flex;flex-wrap:wrap;gap:.75rem;margin:1.5rem 0}',
  'button{font:inherit;font-weight:600;min-height:48px;min-width:48px;padding:.7rem 1.4rem;border:2px solid var(--accent);border-radius:.375rem;background:var(--accent);color:#fff;cursor:pointer}',
  'button.secondary{background:#fff;color:var(--accent)}',
  'button:hover{text-decoration:underline}',
  ':focus-visible{outline:3px solid var(--focus);outline-offset:3px}',
  'footer{margin-top:2rem;border-top:1px solid var(--rule);color:var(--muted);font-size:1rem}',
  '@media (forced-colors:active){button{border-color:ButtonText}}',
].join('\n');

/** The CSP source expression that allows exactly PAGE_STYLE and no other style. */
export const PAGE_STYLE_HASH = `'sha256-${createHash('sha256').update(PAGE_STYLE, 'utf8').digest('base64')}'`;

/**
 * Headers for every page response, whatever the status. No script-src: the pages have no script, and
 * default-src 'none' refuses any. form-action 'self' keeps the forms posting to makul only;
 * frame-ancestors 'none' (and X-Frame-Options for older browsers) stop clickjacking of the buttons;
 * no-referrer keeps the token in the path out of any Referer; no-store keeps token pages out of caches.
 */
export const PAGE_SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': `default-src 'none'; style-src ${PAGE_STYLE_HASH}; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'Strict-Transport-Security': 'max-age=63072000; includeSubDomains',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'Content-Type': 'text/html; charset=utf-8',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
});
