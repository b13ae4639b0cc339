/**
 * The whole journey of one request, end to end, as people do it (issue 12 point 5): ops start the
 * local stack as `npm start` does; a person mails an erasure request in Russian over SMTP; the reply
 * shows on the SES emulator's page; the person opens the link in Chromium and confirms; a marketing
 * system asks the status API; the operator's systems answer their fulfilment tasks (two through the
 * systems API, the helpdesk through `makul tasks complete`); ops run the erasure executor, read the
 * destruction act and export the register; and Ctrl-C stops the stack, leaving no process behind.
 *
 * Every part is the real one: bin/local-stack.ts in its own process group, bin/makul.mjs in child
 * processes, Debian's Chromium. The steps share one stack and run in order; a step after a failed one
 * fails saying so. Screenshots for the README go to test-artifacts/screenshots/local-stack-*.png.
 */
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { SUBJECT_TAGS } from '../../functions/domain/classify/subject-tags';
import type { DestructionAct } from '../../functions/domain/fulfilment/destruction-act';
import { localDate } from '../../functions/domain/requests/deadlines';
import { type LocalStackState, runningLocalStack } from '../../local/local-stack-state';
import { encodedWords, mimeMessage } from '../../local/sample-mail';
import type { SentEmail } from '../../local/ses-emulator';
import { launchChromium, linksIn, pressButton, SCREENSHOT_DIR } from '../support/browser';
import {
  killStartedStacks,
  pressCtrlC,
  processesMentioning,
  processGroupAlive,
  processRunning,
  type RunningStack,
  startLocalStack,
} from '../support/local-stack-process';
import { type CliResult, makulProcess } from '../support/makul-cli';
import { sendMail } from '../support/smtp-client';

/** The person: a Russian speaker on example.com (RFC 2606), nobody real. */
const SENDER = 'asel.kasymova@example.com';
const SENDER_NAME = 'Асель Касымова';
/** Who answers the helpdesk's task (a system told by a person) with `makul tasks complete`. */
const HELPDESK_PERSON = 'Айгуль Токтогулова';
/** The erasure tag in Russian exactly as makul publishes it (functions/domain/classify/subject-tags.ts). */
const ERASURE_TAG_RU = SUBJECT_TAGS.find((tag) => tag.kind === 'erasure' && tag.language === 'ru')?.canonical;
/** x2's data systems (config/operators.json): all three hold data an erasure concerns. */
const SYSTEMS = ['helpdesk', 'marketing-platform', 'player-accounts'];
/** The systems API answers local calls as this identity (bin/local-stack.ts). */
const LOCAL_SYSTEM_CALLER = 'arn:aws:sts::000000000000:assumed-role/makul-local-system/local';
/** A desktop browser; its locale is English, so Russian on the pages comes from the request. */
const DESKTOP = { viewport: { width: 1280, height: 800 }, locale: 'en-US' } as const;

/** Git-ignored, beside the screenshots. */
const ARTIFACTS = join(SCREENSHOT_DIR, '..');

/** What the steps hand on to the next ones. */
interface Journey {
  dataDirectory?: string;
  stack?: RunningStack;
  state?: LocalStackState;
  supportAddress?: string;
  browser?: Browser;
  messageId?: string;
  requestId?: string;
  sid?: string;
  changedAt?: string;
  receivedAt?: string;
  dynamodbPid?: number;
}
const journey: Journey = {};

/** A value an earlier step sets; a step after a failed one fails with this rather than a TypeError. */
function need<K extends keyof Journey>(key: K): NonNullable<Journey[K]> {
  const value = journey[key];
  if (value === undefined || value === null) throw new Error(`an earlier step failed: no ${key}`);
  return value as NonNullable<Journey[K]>;
}

/** `makul … --local --data-dir <the stack's folder>`, as ops type it; fails the test on a non-zero exit. */
async function makul(...args: string[]): Promise<CliResult> {
  const result = await makulProcess([...args, '--local', '--data-dir', need('dataDirectory')]);
  expect(result.code, `makul ${args.join(' ')}\n${result.stderr}`).toBe(0);
  return result;
}

async function makulJson<T>(...args: string[]): Promise<T> {
  return JSON.parse((await makul(...args, '--json')).stdout) as T;
}

/** GET or POST JSON on the stack's HTTP API (the status API and the systems API share /v1/ locally). */
async function api<T>(path: string, body?: unknown): Promise<{ status: number; json: T }> {
  const response = await fetch(`${need('state').pagesUrl}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  return { status: response.status, json: (await response.json()) as T };
}

async function sentMail(): Promise<SentEmail[]> {
  const response = await fetch(`${need('state').sesEndpoint}/store`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { emails: SentEmail[] }).emails;
}

/** Polls until `check` holds, or fails naming what it waited for. */
async function waitUntil(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`waited ${timeoutMs} ms for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  // Finite CSS animations (the emulator's mail cards slide in) are finished first: no half-drawn card.
  await page.screenshot({
    path: join(SCREENSHOT_DIR, `${name}.png`),
    fullPage: true,
    animations: 'disabled',
  });
}

interface SystemsApiRequest {
  requestId: string;
  kind: string;
  status: string;
  language: string;
  subjectKey: string;
  address: string | null;
  tasks: { system: string; state: string; outcome: string | null; answeredAt: string | null }[];
}

interface SubjectStatus {
  email: string;
  sid: string;
  known: boolean;
  marketing: string;
  processing: string;
  changedAt: string | null;
  reason: string | null;
}

describe('the whole journey on the local stack: mail, link, status, tasks, erasure, register, stop', () => {
  afterAll(async () => {
    // What the stack printed, for a person looking into a failure (it names no address).
    if (journey.stack !== undefined) {
      await mkdir(ARTIFACTS, { recursive: true });
      await writeFile(join(ARTIFACTS, 'whole-journey-stack-output.txt'), journey.stack.output());
    }
    // A failed step must not leave a browser or a stack running, nor the data folder behind.
    await journey.browser?.close();
    await killStartedStacks();
    if (journey.dataDirectory !== undefined)
      await rm(journey.dataDirectory, { recursive: true, force: true });
  });

  it('1. starts as `npm start` does, says it is ready, and tells makul --local where it listens', async () => {
    const dataDirectory = await mkdtemp(join(tmpdir(), 'makul-e2e-'));
    journey.dataDirectory = dataDirectory;
    // Documented options: the deferred-outbound job every second, so the "confirmed" mail need not wait
    // 10 s; the scheduled jobs (deadline monitor, erasure executor) hourly, so that the erasure is
    // carried out by `makul erasure run` below, as ops would run it, not by the stack's own timer.
    const stack = await startLocalStack(dataDirectory, [
      '--fresh',
      '--deferred-every',
      '1',
      '--jobs-every',
      '3600',
    ]);
    journey.stack = stack;

    await stack.waitFor(/^makul local stack ready\b/m, 120_000);
    const [, supportAddress] = await stack.waitFor(/^support address: (\S+)$/m, 1000);
    expect(supportAddress).toBe('support@x2.kg');
    journey.supportAddress = supportAddress;

    // The state file, read as `makul … --local` reads it (the lock names the same live process).
    const state = runningLocalStack(dataDirectory);
    const { smtp, ses, http } = stack.ports;
    expect(state).toMatchObject({
      pid: stack.child.pid,
      dataDirectory,
      operator: 'x2',
      jurisdiction: 'KG-58',
      smtp: `127.0.0.1:${smtp}`,
      sesEndpoint: `http://127.0.0.1:${ses}`,
      sesWebPage: `http://127.0.0.1:${ses}/`,
      pagesUrl: `http://127.0.0.1:${http}`,
      deferredOutboundEverySeconds: 1,
    });
    journey.state = state;
    // What "no process left behind" is checked against: the stack's Node process names the data folder,
    // and DynamoDB Local's JVM (in a process group of its own, so Ctrl-C does not reach it) its port.
    expect(processesMentioning(dataDirectory).map((found) => found.pid)).toEqual([stack.child.pid]);
    const jvms = processesMentioning(`-port ${stack.ports.dynamodb} `).filter((found) =>
      found.commandLine.startsWith('java '),
    );
    expect(jvms.map((found) => found.commandLine)).toEqual([expect.stringMatching(/ DynamoDb?Local/)]);
    journey.dynamodbPid = jvms[0]?.pid;
  }, 150_000);

  it('2. takes an erasure request in Russian over SMTP and answers it with a confirmation link', async () => {
    const stack = need('stack');
    expect(ERASURE_TAG_RU).toBe('Уничтожение персональных данных');
    const now = new Date();
    const messageId = `<e2e-${now.getTime()}@example.com>`;
    journey.messageId = messageId;
    // Written as a mail client writes it: encoded-words folded over lines, an 8-bit UTF-8 body.
    const message = mimeMessage(
      [
        `From: ${encodedWords(SENDER_NAME, 30)} <${SENDER}>`,
        `To: ${need('supportAddress')}`,
        `Subject: ${encodedWords(String(ERASURE_TAG_RU), 12)}`,
        `Date: ${now.toUTCString().replace('GMT', '+0000')}`,
        `Message-ID: ${messageId}`,
        'MIME-Version: 1.0',
        'Content-Type: text/plain; charset=UTF-8',
        'Content-Transfer-Encoding: 8bit',
      ],
      `Здравствуйте!\n\nПрошу уничтожить все мои персональные данные.\n\n${SENDER_NAME}\n`,
    );

    const { rcptReplies, dataReply } = await sendMail(stack.ports.smtp, {
      from: SENDER,
      to: [need('supportAddress')],
      message,
    });

    expect(rcptReplies).toEqual(['250 Accepted\r\n']);
    const queued = /^250 Ok: queued as (\w+)\r\n$/.exec(dataReply ?? '')?.[1];
    expect(queued, String(dataReply)).toBeDefined();
    await stack.waitFor(
      new RegExp(
        `^ {2}SMTP ${queued}: received \\d+\\.\\d KB, stored at s3://makul-x2-raw-mail-local/inbound/${queued}$`,
        'm',
      ),
      10_000,
    );
    const [, requestId] = await stack.waitFor(
      /^ {4}handler: request (MK-[0-9A-Z]{12}) → erasure → process \(tag-in-subject\) → reply: sent; SES emulator: \+1 message\(s\) \(receive 1\)$/m,
      30_000,
    );
    journey.requestId = requestId;
    // The stack names requests by id, never by address.
    expect(stack.output()).not.toContain(SENDER);

    // Nothing happens before the person confirms: a marketing system may still mail them.
    const before = await api<SubjectStatus>(`/v1/subjects/status?email=${encodeURIComponent(SENDER)}`);
    expect(before.status).toBe(200);
    expect(before.json).toMatchObject({ email: SENDER, marketing: 'allowed', processing: 'allowed' });
  }, 60_000);

  it('3. shows the reply on the SES emulator’s page; Chromium opens the link, in Russian, and confirms', async () => {
    const stack = need('stack');
    const state = need('state');
    const requestId = need('requestId');

    // The reply, as the emulator stored it: in Russian, from the support address, never quoting the mail.
    const [reply, ...others] = await sentMail();
    expect(others).toEqual([]);
    expect(reply).toMatchObject({
      from: 'support@x2.kg',
      destination: { to: [SENDER], cc: [], bcc: [] },
      subject: `Подтвердите ваш запрос: Уничтожение персональных данных — ${requestId}`,
    });
    expect(reply?.headers).toEqual(
      expect.arrayContaining([
        { name: 'Auto-Submitted', value: 'auto-replied' },
        { name: 'In-Reply-To', value: need('messageId') },
      ]),
    );
    const text = reply?.body.text ?? '';
    expect(text).toContain('Откройте ссылку ниже и нажмите «Подтвердить»');
    expect(text).not.toContain('Прошу уничтожить');
    const links = linksIn(text);
    expect(links).toHaveLength(1);
    const link = String(links[0]);
    expect(link.startsWith(`${state.pagesUrl}/c/`)).toBe(true);

    const browser = await launchChromium();
    journey.browser = browser;
    const context = await browser.newContext(DESKTOP);
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });

    // The emulator's page lists the reply; its text view shows the link the person follows.
    await page.goto(state.sesWebPage);
    const card = page.locator('.email', { hasText: requestId });
    await card.waitFor({ timeout: 10_000 });
    await card.getByRole('button', { name: 'Toggle text view' }).click();
    const shownText = card.locator('.email-text');
    await shownText.waitFor({ state: 'visible' });
    expect(await shownText.innerText()).toContain(link);
    expect(await card.innerText()).toContain(`To: ${SENDER}`);
    await screenshot(page, 'local-stack-emulator-reply');
    consoleErrors.length = 0;

    // The link: a page in the request's language (the browser asks for English), saying what will happen.
    const shown = await page.goto(link);
    expect(shown?.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    expect(await page.locator('h1').textContent()).toBe('Подтвердите запрос');
    const main = await page.locator('main').innerText();
    expect(main).toContain('Уничтожение персональных данных');
    expect(main).toContain(requestId);
    expect(main).toContain('ОсОО «Х2» уничтожит ваши персональные данные');
    expect(await page.locator('button[value=confirm]').textContent()).toBe('Подтвердить');
    expect(await page.locator('button[value=cancel]').textContent()).toBe('Это не я');
    expect(await page.locator('nav [aria-current=true]').textContent()).toBe('Русский');
    await screenshot(page, 'local-stack-confirmation-page');
    // A GET only shows: the request still waits for the person.
    await stack.waitFor(/^ {2}HTTP GET 200 \d+ ms$/m, 5000);
    expect(stack.output()).not.toMatch(/status change #/);

    const answer = await pressButton(page, 'button[value=confirm]');

    expect(answer.status()).toBe(200);
    expect(await page.locator('html').getAttribute('lang')).toBe('ru');
    expect(await page.locator('h1').textContent()).toBe('Запрос подтверждён');
    const confirmed = await page.locator('main').innerText();
    expect(confirmed).toContain('Спасибо, ваш запрос подтверждён.');
    expect(confirmed).toContain(requestId);
    await screenshot(page, 'local-stack-confirmed-page');
    expect(consoleErrors).toEqual([]);
    // The stack prints the confirmation and the POST (never its path: the token travels there), ...
    await stack.waitFor(new RegExp(`^ {2}page: request ${requestId} → confirmed$`, 'm'), 5000);
    await stack.waitFor(/^ {2}HTTP POST 200 \d+ ms$/m, 5000);
    expect(stack.output()).not.toContain(new URL(link).pathname);
    // ... the fulfilment tasks made from the requests table's stream, one per data system, and the
    // events that tell the systems told by event (the helpdesk is told by a person: no event) ...
    await stack.waitFor(
      new RegExp(
        `^ {2}fulfilment-tasks: request ${requestId} → 3 fulfilment task\\(s\\) made, one per data system concerned$`,
        'm',
      ),
      15_000,
    );
    for (const system of ['player-accounts', 'marketing-platform'])
      await stack.waitFor(
        new RegExp(
          `^ {2}fulfilment-tasks: request ${requestId} → task for ${system} published as an event to its queue$`,
          'm',
        ),
        15_000,
      );
    expect(stack.output()).not.toMatch(/task for helpdesk published/);
    // ... and the subject's status change, from the subjects table's stream.
    const [, sidStart] = await stack.waitFor(
      /^ {4}status change #1 \(sid ([0-9a-f]{8})…\): marketing allowed → suppressed, processing allowed → withdrawn \(erasure-requested\)$/m,
      15_000,
    );
    journey.sid = sidStart;
    // The short "confirmed" mail the pages owe goes out with the deferred-outbound job.
    await stack.waitFor(/^ {2}deferred-outbound: 1 due → 1 sent; 0 still waiting$/m, 15_000);
    const mail = await sentMail();
    expect(mail.map((sent) => [sent.subject, sent.destination.to])).toEqual([
      [`Подтвердите ваш запрос: Уничтожение персональных данных — ${requestId}`, [SENDER]],
      [`Запрос подтверждён: Уничтожение персональных данных — ${requestId}`, [SENDER]],
    ]);
  }, 90_000);

  it('4. the status API says: do not mail, processing withdrawn, because erasure was requested', async () => {
    const { status, json } = await api<SubjectStatus>(
      `/v1/subjects/status?email=${encodeURIComponent(SENDER)}`,
    );

    expect(status).toBe(200);
    expect(json).toEqual({
      email: SENDER,
      sid: expect.stringMatching(new RegExp(`^${need('sid')}[0-9a-f]{56}$`)),
      known: true,
      marketing: 'suppressed',
      processing: 'withdrawn',
      changedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      reason: 'erasure-requested',
    });
    journey.sid = json.sid;
    journey.changedAt = String(json.changedAt);
    // The change feed has the one change, by sid only.
    const feed = await api<{ changes: unknown[]; more: boolean }>('/v1/suppressions/changes?limit=10');
    expect(feed.json).toMatchObject({
      changes: [
        {
          sequence: 1,
          sid: json.sid,
          marketing: { previous: 'allowed', current: 'suppressed' },
          processing: { previous: 'allowed', current: 'withdrawn' },
          reason: 'erasure-requested',
        },
      ],
      more: false,
    });
    expect(JSON.stringify(feed.json)).not.toContain(SENDER);
  }, 30_000);

  it('5. every data system answers its task: two through the systems API, the helpdesk with makul tasks complete', async () => {
    const requestId = need('requestId');
    const sid = need('sid');

    // A system told by event reads the request (step 3 saw the tasks made and the events published).
    const { status: readStatus, json: read } = await api<SystemsApiRequest>(`/v1/requests/${requestId}`);
    expect(readStatus).toBe(200);
    expect(read).toMatchObject({
      requestId,
      kind: 'erasure',
      status: 'in-progress',
      language: 'ru',
      subjectKey: sid,
      // A system needs the address to find the person in its own records.
      address: SENDER,
    });
    expect(read.tasks.map((task) => [task.system, task.state, task.outcome])).toEqual(
      SYSTEMS.map((system) => [system, 'open', null]),
    );
    // Systems told by event had their event published; the helpdesk is told by a person.
    const shown = await makulJson<{
      request: { status: string; proof: string };
      tasks: { system: string; state: string; publishedAt: string | null }[];
    }>('requests', 'show', requestId);
    expect(shown.request).toMatchObject({ status: 'in-progress', proof: 'confirmed-link' });
    expect(shown.tasks.map((task) => [task.system, task.publishedAt === null])).toEqual([
      ['helpdesk', true],
      ['marketing-platform', false],
      ['player-accounts', false],
    ]);

    const players = await api<{ result: string; task: { state: string; outcome: string } }>(
      `/v1/requests/${requestId}/tasks/player-accounts`,
      { state: 'done', outcome: 'erased' },
    );
    expect(players.status).toBe(200);
    expect(players.json).toMatchObject({
      requestId,
      result: 'answered',
      task: { system: 'player-accounts', state: 'done', outcome: 'erased' },
    });
    const marketing = await api<{ result: string }>(`/v1/requests/${requestId}/tasks/marketing-platform`, {
      state: 'done',
      outcome: 'not-held',
    });
    expect(marketing.status).toBe(200);
    expect(marketing.json).toMatchObject({
      result: 'answered',
      task: { system: 'marketing-platform', state: 'done', outcome: 'not-held' },
    });

    // One system has not answered: the executor destroys nothing yet.
    const early = await makulJson<{ outcomes: unknown[] }>('erasure', 'run', '--dry-run');
    expect(early.outcomes).toEqual([
      { requestId, kind: 'erasure', outcome: 'skipped', reason: 'tasks-waiting' },
    ]);

    const helpdesk = await makul(
      'tasks',
      'complete',
      requestId,
      'helpdesk',
      '--outcome',
      'erased',
      '--by',
      HELPDESK_PERSON,
    );
    expect(helpdesk.stdout).toBe(
      `${requestId} helpdesk: done (erased), by ${HELPDESK_PERSON}; every system is done: the erasure executor destroys makul’s own data next\n`,
    );

    const answered = await api<SystemsApiRequest>(`/v1/requests/${requestId}`);
    expect(answered.json.status).toBe('in-progress');
    expect(answered.json.tasks.map((task) => [task.system, task.state, task.outcome])).toEqual([
      ['helpdesk', 'done', 'erased'],
      ['marketing-platform', 'done', 'not-held'],
      ['player-accounts', 'done', 'erased'],
    ]);
  }, 90_000);

  it('6. the erasure executor destroys what makul holds, writes the act, and completes the request', async () => {
    const requestId = need('requestId');
    const sid = need('sid');

    const run = await makulJson<{ considered: number; outcomes: unknown[]; overdue: unknown[] }>(
      'erasure',
      'run',
    );

    expect(run).toMatchObject({ operator: 'x2', dryRun: false, considered: 1, overdue: [] });
    // Both entries of the subject (the request and its "confirmed" notice), the stored mail, the link.
    expect(run.outcomes).toEqual([
      {
        requestId,
        kind: 'erasure',
        outcome: 'executed',
        actId: `DA-${requestId}`,
        work: { entries: 2, rawMail: 1, tokens: 1 },
      },
    ]);

    const act = await makulJson<DestructionAct>('acts', 'show', requestId);
    expect(act).toMatchObject({
      actId: `DA-${requestId}`,
      operator: { operatorId: 'x2', name: 'ОсОО «Х2» (X2 LLC)' },
      subject: { subjectKey: sid, address: null },
      ground: { requestId, kind: 'erasure', jurisdiction: 'KG-58' },
      timeZone: 'Asia/Bishkek',
      notHeldIn: [{ ru: 'маркетинговая платформа', en: 'marketing platform' }],
    });
    expect(act.destroyedBy.map((by) => [by.systemId, by.person])).toEqual([
      ['makul', null],
      ['helpdesk', HELPDESK_PERSON],
      ['player-accounts', null],
    ]);
    expect(act.destroyedBy.find((by) => by.systemId === 'player-accounts')?.component).toBe(
      `systems API caller ${LOCAL_SYSTEM_CALLER}`,
    );
    // Every step, in order; each read through the systems API is in it too (step 5 read twice).
    expect(act.logExtract.map((event) => event.event)).toEqual([
      'received',
      'reply-sent',
      'link-confirmed',
      'tasks-created',
      'read-by-system',
      'task-answered',
      'task-answered',
      'task-answered',
      'all-systems-done',
      'read-by-system',
      'erasure-executed',
    ]);
    expect(act.logExtract.find((event) => event.event === 'read-by-system')?.detail).toMatchObject({
      caller: LOCAL_SYSTEM_CALLER,
      address: true,
    });
    expect(JSON.stringify(act)).not.toContain(SENDER);
    // As printed for the regulator (Russian and English), naming who destroyed the data.
    const printed = (await makul('acts', 'show', requestId)).stdout;
    expect(printed).toMatch(
      new RegExp(
        `^АКТ ОБ УНИЧТОЖЕНИИ ПЕРСОНАЛЬНЫХ ДАННЫХ / PERSONAL DATA DESTRUCTION ACT № DA-${requestId}$`,
        'm',
      ),
    );
    expect(printed).toContain(`подтвердил(а) / confirmed by ${HELPDESK_PERSON}`);
    expect(printed).not.toContain(SENDER);

    // makul keeps no address for the request any more; the request is closed.
    const done = await api<SystemsApiRequest>(`/v1/requests/${requestId}`);
    expect(done.json).toMatchObject({ status: 'completed', address: null, subjectKey: sid });
    const shown = await makulJson<{ request: { status: string; addressKept: boolean; receivedAt: string } }>(
      'requests',
      'show',
      requestId,
    );
    expect(shown.request).toMatchObject({ status: 'completed', addressKept: false });
    journey.receivedAt = shown.request.receivedAt;

    // The subject's record, keyed by the HMAC of the address, stays: marketing systems are still told
    // not to mail them, and the state has not moved since the confirmation.
    const status = await api<SubjectStatus>(`/v1/subjects/status?email=${encodeURIComponent(SENDER)}`);
    expect(status.json).toEqual({
      email: SENDER,
      sid,
      known: true,
      marketing: 'suppressed',
      processing: 'withdrawn',
      changedAt: need('changedAt'),
      reason: 'erasure-requested',
    });
  }, 90_000);

  it('7. the register export lists the request and its act, without personal data', async () => {
    const requestId = need('requestId');
    const timeZone = 'Asia/Bishkek';
    // The local days of receipt and of now (the same day unless the test runs across midnight there).
    const from = localDate(new Date(need('receivedAt')), timeZone);
    const to = localDate(new Date(), timeZone);

    const { stdout } = await makul('register', 'export', '--from', from, '--to', to, '--format', 'json');

    const exported = JSON.parse(stdout) as {
      requests: Record<string, unknown>[];
      destructionActs: Record<string, unknown>[];
    };
    expect(exported).toMatchObject({
      operator: 'x2',
      period: { from, to, timeZone },
      personalData: 'none',
    });
    expect(exported.requests).toEqual([
      expect.objectContaining({
        requestId,
        kind: 'erasure',
        channel: 'email',
        status: 'completed',
        jurisdiction: 'KG-58',
        receivedAt: need('receivedAt'),
        closedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        deadline: 'met',
        outcome: 'completed; helpdesk: erased; marketing-platform: not-held; player-accounts: erased',
      }),
    ]);
    expect(exported.destructionActs).toEqual([
      expect.objectContaining({
        actId: `DA-${requestId}`,
        requestId,
        systems:
          'makul (реестр обращений субъектов персональных данных); служба поддержки; учётные записи игроков',
        method:
          'makul: удаление записей и хранимых писем; helpdesk: уничтожение (сообщено системой: erased); player-accounts: уничтожение (сообщено системой: erased)',
      }),
    ]);
    expect(exported.destructionActs[0]?.ground).toMatch(
      new RegExp(`^${requestId} \\(erasure\\); KG No\\. 58`),
    );
    // Without --with-personal-data: neither the address nor the subject's keyed hash.
    expect(stdout).not.toContain(SENDER);
    expect(stdout).not.toContain(need('sid'));
  }, 60_000);

  it('8. Ctrl-C stops the stack cleanly and leaves no process behind', async () => {
    const stack = need('stack');
    const dataDirectory = need('dataDirectory');
    const group = Number(stack.child.pid);
    await journey.browser?.close();
    journey.browser = undefined;

    pressCtrlC(stack);
    const exitCode = await stack.exited;

    const output = stack.output();
    expect(exitCode, output).toBe(0);
    expect(output.match(/^SIGINT: stopping/gm), output).toHaveLength(1);
    expect(output).toMatch(/^ {2}DynamoDB Local: stopped$/m);
    expect(output).toMatch(/^Stopped\.$/m);
    expect(output).not.toMatch(/could not stop cleanly|quitting at once|exited unexpectedly/);
    // Nothing of the stack's process group is left (tsx's esbuild service included) ...
    await waitUntil('the stack’s process group to be empty', () => !processGroupAlive(group), 5000);
    // ... nor DynamoDB Local's JVM (a process group of its own), nor anything else on the data folder.
    const jvm = need('dynamodbPid');
    await waitUntil(
      'no process naming the data folder, and DynamoDB Local’s JVM gone',
      () => processesMentioning(dataDirectory).length === 0 && !processRunning(jvm),
      10_000,
    );
    expect(processesMentioning(`-port ${stack.ports.dynamodb} `)).toEqual([]);
    expect(() => runningLocalStack(dataDirectory)).toThrow(`no local stack is running on ${dataDirectory}`);
    // The screenshots the README's images are copied from.
    for (const name of ['emulator-reply', 'confirmation-page', 'confirmed-page'])
      expect(
        readFileSync(join(SCREENSHOT_DIR, `local-stack-${name}.png`))
          .subarray(1, 4)
          .toString(),
      ).toBe('PNG');
  }, 60_000);
});
