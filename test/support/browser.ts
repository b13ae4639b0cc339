/**
 * A person's browser for the browser tests: Debian's `chromium` driven by playwright-core, opening
 * makul's public pages served by the real pages handler through the local HTTP API (local/http-pages.ts),
 * with the real inbound function, DynamoDB Local and the SES v2 emulator behind them.
 *
 * Nothing is skipped when Chromium is missing: the tests fail, naming the package to install, because
 * a suite that passes without its browser proves nothing about the pages.
 */
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type Browser,
  type BrowserContext,
  type BrowserContextOptions,
  chromium,
  type Page,
  type Response,
} from 'playwright-core';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { requestIdFor } from '../../functions/domain/requests/request-id';
import { createPagesHandler, type PagesHandler } from '../../functions/pages/handler';
import { createLogger } from '../../functions/shared/log';
import { type HttpPagesHandle, type PagesHttpHandler, startHttpPages } from '../../local/http-pages';
import { InboundHarness, requestMail } from './inbound-harness';
import { PROJECT_ROOT } from './paths';

/** Debian's package puts it here; playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Git-ignored: screenshots of every page type, for a person to look at after a run. */
export const SCREENSHOT_DIR = join(PROJECT_ROOT, 'test-artifacts', 'screenshots');

/** Launches headless Chromium, or fails with the command that installs it. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `Chromium is not installed at ${CHROMIUM_PATH}: the browser tests need Debian's chromium package. ` +
        'Install it with: apt-get install chromium (.ci/run does this when it is missing).',
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    // --no-sandbox: CI containers run as root, where Chromium's sandbox cannot start.
    args: ['--headless', '--no-sandbox', '--disable-gpu'],
  });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png and returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** What a page did besides showing itself: every request it made, console errors and dialogs. */
export interface PageWatch {
  readonly requests: string[];
  readonly consoleErrors: string[];
  readonly dialogs: string[];
}

/** Records a page's requests, console errors (CSP violations are reported there) and dialogs. */
export function watchPage(page: Page): PageWatch {
  const watch: PageWatch = { requests: [], consoleErrors: [], dialogs: [] };
  page.on('request', (request) => watch.requests.push(request.url()));
  page.on('console', (message) => {
    // The location names the resource a "Failed to load resource" or a CSP report is about.
    if (message.type() === 'error') watch.consoleErrors.push(`${message.text()} (${message.location().url})`);
  });
  page.on('pageerror', (error) => watch.consoleErrors.push(error.message));
  page.on('dialog', (dialog) => {
    watch.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  return watch;
}

/** A new watched tab in a browser context. */
export async function openWatchedPage(context: BrowserContext): Promise<{ page: Page; watch: PageWatch }> {
  const page = await context.newPage();
  return { page, watch: watchPage(page) };
}

/**
 * The file's watched tab for these browser-context options, its watch emptied for the test that asks.
 * One context and one tab per set of options, made on first use and reused: the pages set no cookies
 * and are not cached, every navigation starts a fresh document, and a new tab costs about a second of
 * Chromium's time on a busy machine.
 */
export async function openPage(
  stack: StartedPages,
  options?: BrowserContextOptions,
): Promise<{ page: Page; watch: PageWatch }> {
  const { page, watch } = await stack.tab(options);
  watch.requests.length = 0;
  watch.consoleErrors.length = 0;
  watch.dialogs.length = 0;
  return { page, watch };
}

/**
 * Clicks a form's submit button and waits for the page that answers the POST (the same URL: the pages
 * answer a POST with a page, never a redirect). Returns that answer; read its body before navigating on.
 */
export async function pressButton(page: Page, selector: string): Promise<Response> {
  const [response] = await Promise.all([
    page.waitForResponse((answer) => answer.request().method() === 'POST'),
    page.waitForEvent('load'),
    page.locator(selector).click(),
  ]);
  return response;
}

/** Follows a link on the page and waits for the page it opens. */
export async function follow(page: Page, selector: string): Promise<void> {
  await Promise.all([page.waitForEvent('load'), page.locator(selector).click()]);
}

export const headingOf = (page: Page) => page.locator('h1').textContent();
export const languageOf = (page: Page) => page.locator('html').getAttribute('lang');

// Scripts evaluated in the page are written as strings: the project's TypeScript has no DOM library.

/** The widths that tell whether a page scrolls sideways. */
export const widthsOf = async (page: Page) =>
  (await page.evaluate('({ scroll: document.documentElement.scrollWidth, inner: window.innerWidth })')) as {
    scroll: number;
    inner: number;
  };

/** The computed value of a CSS property of the first element a selector matches. */
export const computedStyleOf = async (page: Page, selector: string, property: string) =>
  (await page.evaluate(
    `getComputedStyle(document.querySelector(${JSON.stringify(selector)})).getPropertyValue(${JSON.stringify(property)})`,
  )) as string;

/** The global an injected script in the hostile test input would set: 'undefined' while none ran. */
export const injectedMarkerOf = async (page: Page) => (await page.evaluate('typeof window.__xss')) as string;

/** A phone's screen (iPhone 12 to 15 size). */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
} as const;

/** The local services, the pages on a loopback URL that the mailed links point at, and a browser. */
export interface PagesStack {
  readonly harness: InboundHarness;
  readonly pages: HttpPagesHandle;
  readonly browser: Browser;
  /** Log lines of the pages function and of the local HTTP API (no paths, no addresses). */
  readonly logLines: readonly string[];
  stop(): Promise<void>;
}

/**
 * Starts everything for one test file. The HTTP server comes first, on a free port, with a handler that
 * delegates to the pages function built afterwards: the links in the mail must name the server's URL,
 * and the function's environment (which carries that URL) is only known once the harness has started.
 */
export async function startPagesStack(): Promise<PagesStack> {
  const logLines: string[] = [];
  let pagesHandler: PagesHandler | null = null;
  const delegate: PagesHttpHandler = (event, context) => {
    if (pagesHandler === null) throw new Error('the pages handler is not built yet');
    return pagesHandler(event, context);
  };
  const pages = await startHttpPages({ handler: delegate, port: 0, log: (line) => logLines.push(line) });
  const [started, launched] = await Promise.allSettled([
    InboundHarness.start({ confirmBaseUrl: pages.url }),
    launchChromium(),
  ]);
  if (started.status === 'rejected' || launched.status === 'rejected') {
    // Stop what did start (a JVM or a browser left running would outlive the test run).
    await Promise.allSettled([
      pages.stop(),
      started.status === 'fulfilled' ? started.value.stop() : undefined,
      launched.status === 'fulfilled' ? launched.value.close() : undefined,
    ]);
    throw launched.status === 'rejected' ? launched.reason : (started as PromiseRejectedResult).reason;
  }
  const harness = started.value;
  const browser = launched.value;
  pagesHandler = createPagesHandler(
    harness.environment,
    createLogger('INFO', { fn: 'pages' }, (line) => logLines.push(line)),
  );
  return {
    harness,
    pages,
    browser,
    logLines,
    stop: async () => {
      await Promise.allSettled([browser.close(), pages.stop()]);
      await harness.stop();
    },
  };
}

/**
 * Starts the stack and a desktop browser context once per test file (beforeAll) and stops them after
 * (afterAll). A start that fails (Chromium not installed, above all) fails every test of the file with
 * its message: a failing beforeAll would only mark the tests skipped, and a browser suite that reports
 * skips when it has no browser is too easy to overlook.
 */
export function usePagesStack(desktopOptions: BrowserContextOptions): StartedPages {
  let stack: PagesStack | undefined;
  let desktop: BrowserContext | undefined;
  let failure: unknown;
  beforeAll(async () => {
    try {
      stack = await startPagesStack();
      desktop = await stack.browser.newContext(desktopOptions);
    } catch (error) {
      failure = error;
    }
  });
  beforeEach(() => {
    if (failure !== undefined) throw failure;
  });
  afterAll(async () => {
    await stack?.stop();
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the pages stack has not started');
    return value;
  };
  const tabs = new Map<string, Promise<{ page: Page; watch: PageWatch }>>();
  return {
    tab: (options) => {
      const key = JSON.stringify(options ?? desktopOptions);
      let tab = tabs.get(key);
      if (tab === undefined) {
        tab = (
          options === undefined
            ? Promise.resolve(started(desktop))
            : started(stack).browser.newContext(options)
        ).then(openWatchedPage);
        tabs.set(key, tab);
      }
      return tab;
    },
    get harness() {
      return started(stack).harness;
    },
    get pages() {
      return started(stack).pages;
    },
    get browser() {
      return started(stack).browser;
    },
  };
}

/** What a test file uses of the stack started for it. */
export interface StartedPages {
  readonly harness: InboundHarness;
  readonly pages: HttpPagesHandle;
  readonly browser: Browser;
  /**
   * The one watched tab of a browser context with these options (default: the file's desktop options),
   * made on first use; tests take it through openPage.
   */
  tab(options?: BrowserContextOptions): Promise<{ page: Page; watch: PageWatch }>;
}

/**
 * A request mail arrives and the real inbound function handles it; returns the request id and the first
 * confirmation link of makul's reply, as the SES v2 emulator captured it.
 */
export async function arriveWithLink(
  harness: InboundHarness,
  options: {
    readonly address: string;
    /** The From header as written, display name included; default: the bare address. */
    readonly from?: string;
    readonly subject: string;
    readonly body?: string;
  },
): Promise<{ requestId: string; link: string }> {
  const delivery = await harness.deliver(
    requestMail({
      from: options.from ?? options.address,
      subject: options.subject,
      ...(options.body === undefined ? {} : { body: options.body }),
    }),
    { mailFrom: options.address },
  );
  const { batchItemFailures } = await harness.runBatch([delivery.record]);
  if (batchItemFailures.length > 0) throw new Error('the inbound function failed on the request mail');
  const reply = (await harness.sentTo(options.address)).at(-1);
  const [link] = linksIn(reply?.body.text ?? '');
  if (link === undefined) throw new Error('the reply to the request mail has no confirmation link');
  return { requestId: requestIdFor(delivery.sesMessageId), link };
}

/** The pages' links in a mail's text: `<base>/c/<token>` or `<base>/u/<token>`. */
export function linksIn(text: string, kind: 'c' | 'u' = 'c'): string[] {
  const pattern = new RegExp(`https?://[^\\s<>"]+/${kind}/[A-Za-z0-9_-]{43}`, 'g');
  return [...text.matchAll(pattern)].map((match) => match[0]);
}
