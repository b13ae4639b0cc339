/**
 * What the local stack keeps and what it forgets: the SES emulator's sent mail survives a restart in
 * its file (the page of sent mail outlives `npm start`); DynamoDB Local with --fresh keeps nothing; a
 * port someone else holds is refused before a service starts on it.
 */
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import {
  findFreePort,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  LOOPBACK_HOST,
  portInUse,
} from '../../local/loopback';
import { createMakulTables } from '../../local/makul-tables';
import { startSesEmulator } from '../../local/ses-emulator';

let folder: string;

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'makul-local-persistence-'));
});

afterAll(async () => {
  await rm(folder, { recursive: true, force: true });
});

async function send(endpoint: string, subject: string): Promise<void> {
  const client = new SESv2Client({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'support@x2.kg',
        Destination: { ToAddresses: ['subject@example.com'] },
        Content: { Simple: { Subject: { Data: subject }, Body: { Text: { Data: 'body' } } } },
      }),
    );
  } finally {
    client.destroy();
  }
}

describe('the SES emulator with a sent-mail file (npm start keeps its page across restarts)', () => {
  it('shows mail sent before a restart, appends what is sent after, and forgets it all when cleared', async () => {
    const file = join(folder, 'sent-mail.jsonl');
    const lines: string[] = [];
    const first = await startSesEmulator({ sentMailFile: file, report: (line) => lines.push(line) });
    await send(first.endpoint, 'before the restart');
    await first.dispose();

    const second = await startSesEmulator({ sentMailFile: file, report: (line) => lines.push(line) });
    try {
      expect(lines.at(-1)).toMatch(/, 1 kept from earlier runs\)$/);
      await send(second.endpoint, 'after the restart');
      expect((await second.sentEmails()).map((email) => email.subject)).toEqual([
        'before the restart',
        'after the restart',
      ]);
      expect(readFileSync(file, 'utf8').trim().split('\n')).toHaveLength(2);
      await second.clearSentEmails();
      expect(readFileSync(file, 'utf8')).toBe('');
    } finally {
      await second.dispose();
    }

    // Without a file (the tests' emulators), nothing earlier comes back.
    const third = await startSesEmulator({ report: () => {} });
    try {
      await send(third.endpoint, 'no file');
      expect((await third.sentEmails()).map((email) => email.subject)).toEqual(['no file']);
    } finally {
      await third.dispose();
    }
    expect(readFileSync(file, 'utf8')).toBe('');
  });
});

describe('DynamoDB Local in memory (npm start -- --fresh)', () => {
  it('has the tables while it runs and nothing after a restart, and writes no database file', async () => {
    const lines: string[] = [];
    const dynamo = await startDynamoDbLocal({ inMemory: true, report: (line) => lines.push(line) });
    const client = new DynamoDBClient({
      endpoint: dynamo.endpoint,
      region: LOCAL_REGION,
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      await createMakulTables(dynamo.endpoint, { requestsTableName: 'req', subjectsTableName: 'sub' });
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual(['req', 'sub']);
      expect(lines[0]).toContain('in memory: nothing is kept after it stops');
      await dynamo.stop();
      await dynamo.start();
      expect((await client.send(new ListTablesCommand({}))).TableNames).toEqual([]);
      expect(dynamo.dataDirectory).toBe('');
    } finally {
      client.destroy();
      await dynamo.dispose();
    }
  });

  it('refuses a port another process holds, before starting, rather than talk to whoever answers there', async () => {
    const port = await findFreePort();
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, LOOPBACK_HOST, resolve));
    try {
      expect(await portInUse(port)).toBe(true);
      await expect(startDynamoDbLocal({ port, inMemory: true, report: () => {} })).rejects.toThrow(
        `DynamoDB Local: port ${port} on 127.0.0.1 is already in use`,
      );
    } finally {
      await new Promise<void>((resolve) => holder.close(() => resolve()));
    }
    expect(await portInUse(port)).toBe(false);
  });
});
