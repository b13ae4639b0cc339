/**
 * The local stack on a data folder from the version before the register by month: createMakulTables
 * adds the `register-by-month` index and files the request entries already there under their month,
 * so `makul register export --local` finds them; notices stay out.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { DynamoDbRegisterExport } from '../../functions/adapters/dynamodb/register-export';
import { fromRequest, requestKey } from '../../functions/adapters/dynamodb/request-items';
import { REQUEST_INDEXES } from '../../functions/shared/table-design';
import { startDynamoDbLocal } from '../../local/dynamodb-local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { createMakulTables } from '../../local/makul-tables';
import { sampleRequest } from '../support/sample-request';

describe('createMakulTables on a local data folder from before the register by month', () => {
  it('adds the index and files the request entries already there under their month, never a notice', async () => {
    const own = await startDynamoDbLocal({ report: () => undefined });
    const client = new DynamoDBClient({
      region: LOCAL_REGION,
      endpoint: own.endpoint,
      credentials: LOCAL_CREDENTIALS,
    });
    const tables = { requestsTableName: 'month-requests', subjectsTableName: 'month-subjects' };
    try {
      const earlier = [REQUEST_INDEXES.opsQueue, REQUEST_INDEXES.bySubject, REQUEST_INDEXES.byStatusDue];
      await client.send(
        new CreateTableCommand({
          TableName: tables.requestsTableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            'pk',
            'sk',
            ...earlier.flatMap((index) => [index.partitionKey, index.sortKey]),
          ]
            .filter((name, index, all) => all.indexOf(name) === index)
            .map((name) => ({ AttributeName: name, AttributeType: 'S' as const })),
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: earlier.map((index) => ({
            IndexName: index.indexName,
            KeySchema: [
              { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
              { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
            ],
            Projection: { ProjectionType: 'ALL' as const },
          })),
        }),
      );
      const old = sampleRequest(1, { requestId: 'MK-OLD1', receivedAt: '2026-03-10T08:00:00.000Z' });
      const notice = sampleRequest(2, {
        requestId: 'MK-OLD1.confirmed',
        receivedAt: '2026-03-10T08:05:00.000Z',
        notice: 'confirmed',
        noticeOf: 'MK-OLD1',
      });
      for (const entry of [old, notice]) {
        // As the previous version wrote them: no register month.
        const { registerMonth: _month, registerAt: _at, ...item } = fromRequest(entry);
        await client.send(
          new PutItemCommand({
            TableName: tables.requestsTableName,
            Item: { ...requestKey(entry.requestId), ...item },
          }),
        );
      }

      await createMakulTables(own.endpoint, tables);

      const { Table } = await client.send(new DescribeTableCommand({ TableName: tables.requestsTableName }));
      expect(Table?.GlobalSecondaryIndexes?.map((index) => index.IndexName)).toContain('register-by-month');
      const found: string[] = [];
      const exporter = new DynamoDbRegisterExport(client, tables.requestsTableName);
      for await (const page of exporter.requestsReceived(
        new Date('2026-03-01T00:00:00Z'),
        new Date('2026-04-01T00:00:00Z'),
      ))
        found.push(...page.items.map((item) => item.requestId));
      expect(found).toEqual(['MK-OLD1']);
    } finally {
      client.destroy();
      await own.dispose();
    }
  }, 120_000);
});
