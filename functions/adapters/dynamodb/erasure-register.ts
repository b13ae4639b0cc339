/**
 * The erasure executor's writes in the requests table (ports/erasure-register.ts), and the destruction
 * acts it leaves there (key design: functions/shared/table-design.ts, `ACT#<requestId>` / `ACT`).
 *
 *   forgetPersonalData  REMOVE sealedContact, sealedDetails on one entry (only if it exists: never
 *                       creates one), and sealedData on its tasks: idempotent;
 *   deleteTokens        DeleteItem of `TOKEN#<hash>` and of the `REQ#<id>`/`TOKEN#<purpose>` pointer:
 *                       deleting what is gone is no error;
 *   completeErasure     one transaction: the request in-progress → completed with executedAt and
 *                       closedAt (only while in progress and never executed), the act (only if absent)
 *                       with its register-by-month keys and its TTL, and the audit item.
 *
 * Never the subjects table: the suppression entry keyed by the HMAC of the address stays as it is.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { DestructionAct } from '../../domain/fulfilment/destruction-act';
import type { AuditEvent } from '../../domain/requests/registered-request';
import type {
  DestructionActs,
  ErasureExecution,
  ErasureRegister,
  ExecutionResult,
} from '../../ports/erasure-register';
import { FULFILMENT_KEYS, REQUEST_INDEXES } from '../../shared/table-design';
import {
  epochSeconds,
  type Item,
  OPS_QUEUE,
  OPS_QUEUE_AT,
  readStr,
  requestKey,
  TTL,
  tokenKey,
} from './request-items';
import { failedCondition } from './request-register';

export const actKey = (requestId: string): Item => ({
  pk: { S: `${FULFILMENT_KEYS.actPartitionPrefix}${requestId}` },
  sk: { S: FULFILMENT_KEYS.actSortKey },
});

/** `ACT#2026-12`: the register-by-month partition of the acts executed in that local month. */
export function actMonthKey(month: string): string {
  return `${FULFILMENT_KEYS.actMonthPrefix}${month}`;
}

/** An act item as stored: the act whole (JSON), and the few attributes the export and indexes read. */
export function fromAct(execution: ErasureExecution): Item {
  const { act } = execution;
  return {
    ...actKey(execution.requestId),
    requestId: { S: execution.requestId },
    actId: { S: act.actId },
    kind: { S: act.ground.kind },
    executedAt: { S: act.executedAt },
    act: { S: JSON.stringify(act) },
    [REQUEST_INDEXES.byMonth.partitionKey]: { S: actMonthKey(execution.registerMonth) },
    [REQUEST_INDEXES.byMonth.sortKey]: { S: act.executedAt },
    [TTL]: { N: epochSeconds(execution.keepUntil) },
  };
}

export function toAct(item: Item): DestructionAct {
  return JSON.parse(readStr(item, 'act') ?? 'null') as DestructionAct;
}

export class DynamoDbErasureRegister implements ErasureRegister, DestructionActs {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly requestsTableName: string,
  ) {}

  async forgetPersonalData(requestId: string): Promise<number> {
    let changed = 0;
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.requestsTableName,
          Key: requestKey(requestId),
          UpdateExpression: 'REMOVE sealedContact, sealedDetails',
          // Only what holds something: an unchanged entry costs no write and says so.
          ConditionExpression:
            'attribute_exists(pk) AND (attribute_type(sealedContact, :string) OR attribute_type(sealedDetails, :string))',
          ExpressionAttributeValues: { ':string': { S: 'S' } },
        }),
      );
      changed += 1;
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    // Access answers of the operator's systems, sealed to the task: personal data too.
    for (const sk of await this.sortKeys(requestId, FULFILMENT_KEYS.taskPrefix, 'sealedData')) {
      try {
        await this.client.send(
          new UpdateItemCommand({
            TableName: this.requestsTableName,
            Key: { pk: { S: `REQ#${requestId}` }, sk: { S: sk } },
            UpdateExpression: 'REMOVE sealedData',
            ConditionExpression: 'attribute_type(sealedData, :string)',
            ExpressionAttributeValues: { ':string': { S: 'S' } },
          }),
        );
        changed += 1;
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    }
    return changed;
  }

  async tokensOf(requestId: string): Promise<string[]> {
    return (await this.tokenPointers(requestId)).map((pointer) => pointer.tokenHash);
  }

  async deleteTokens(requestId: string): Promise<number> {
    const pointers = await this.tokenPointers(requestId);
    for (const pointer of pointers) {
      // The token first: a run that stops between the two finds the pointer and deletes the token again.
      await this.client.send(
        new DeleteItemCommand({ TableName: this.requestsTableName, Key: tokenKey(pointer.tokenHash) }),
      );
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.requestsTableName,
          Key: { pk: { S: `REQ#${requestId}` }, sk: { S: pointer.sk } },
        }),
      );
    }
    return pointers.length;
  }

  async completeErasure(execution: ErasureExecution): Promise<ExecutionResult> {
    const at = execution.at.toISOString();
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.requestsTableName,
                Key: requestKey(execution.requestId),
                UpdateExpression:
                  'SET #status = :completed, executedAt = :at, closedAt = :at REMOVE sealedContact, sealedDetails, #queue, #queueAt',
                // Only while in progress, and once: a cancelled ("this was not me"), rejected or
                // completed request is never executed, and an executed one never again.
                ConditionExpression: '#status = :inProgress AND attribute_not_exists(executedAt)',
                ExpressionAttributeNames: {
                  '#status': 'status',
                  '#queue': OPS_QUEUE,
                  '#queueAt': OPS_QUEUE_AT,
                },
                ExpressionAttributeValues: {
                  ':completed': { S: 'completed' },
                  ':inProgress': { S: 'in-progress' },
                  ':at': { S: at },
                },
              },
            },
            {
              Put: {
                TableName: this.requestsTableName,
                Item: fromAct(execution),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            { Put: this.auditPut(execution.requestId, execution.audit) },
          ],
        }),
      );
      return { outcome: 'executed' };
    } catch (error) {
      if (failedCondition(error, 0)) return { outcome: 'request-moved' };
      throw error;
    }
  }

  async actOf(requestId: string): Promise<DestructionAct | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.requestsTableName, Key: actKey(requestId), ConsistentRead: true }),
    );
    return Item ? toAct(Item) : null;
  }

  private async tokenPointers(requestId: string): Promise<{ sk: string; tokenHash: string }[]> {
    const pointers: { sk: string; tokenHash: string }[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.requestsTableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :token)',
          ExpressionAttributeValues: { ':pk': { S: `REQ#${requestId}` }, ':token': { S: 'TOKEN#' } },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = readStr(item, 'sk');
        const tokenHash = readStr(item, 'tokenHash');
        if (sk && tokenHash) pointers.push({ sk, tokenHash });
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return pointers;
  }

  /** Sort keys under the request with this prefix whose `attribute` holds a string. */
  private async sortKeys(requestId: string, prefix: string, attribute: string): Promise<string[]> {
    const keys: string[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.requestsTableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          FilterExpression: 'attribute_type(#attribute, :string)',
          ExpressionAttributeNames: { '#attribute': attribute },
          ExpressionAttributeValues: {
            ':pk': { S: `REQ#${requestId}` },
            ':prefix': { S: prefix },
            ':string': { S: 'S' },
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const sk = readStr(item, 'sk');
        if (sk) keys.push(sk);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return keys;
  }

  /** The register's audit item (adapters/dynamodb/request-register.ts): append-only. */
  private auditPut(requestId: string, event: AuditEvent) {
    return {
      TableName: this.requestsTableName,
      Item: {
        pk: { S: `REQ#${requestId}` },
        sk: { S: `AUDIT#${event.at}#${event.event}` },
        at: { S: event.at },
        event: { S: event.event },
        detail: { S: JSON.stringify(event.detail) },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }
}
