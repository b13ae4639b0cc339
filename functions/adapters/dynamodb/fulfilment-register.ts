/**
 * Fulfilment tasks in the requests table (key design: functions/shared/table-design.ts, `REQ#<id>` /
 * `TASK#<system>`). Every write is conditional, so a retried stream record, API call or CLI command
 * never makes a task twice nor answers one twice:
 *   createTasks   one transaction: a Put per task, each only if absent, and the audit item. A retry (or
 *                 a second processor at the same moment) finds them there, writes nothing and reads them;
 *   answerTask    one transaction: the task moves from `open` only, with the audit item;
 *   markPublished sets `publishedAt` only if absent.
 *
 * A task item has no `status`, `registerMonth` or `receivedAt`, so it stays out of the register's
 * indexes even though it carries `dueAt` and `subjectKey` (written only when set: a NULL index key
 * would be refused).
 */
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { FulfilmentTask, TaskAnswerer, TaskOutcome, TaskState } from '../../domain/fulfilment/tasks';
import type { AuditEvent } from '../../domain/requests/registered-request';
import type { FulfilmentKind } from '../../domain/requests/request-kinds';
import type { AnswerResult, FulfilmentRegister, StoredAnswer } from '../../ports/fulfilment-register';
import { FULFILMENT_KEYS } from '../../shared/table-design';
import { type Item, readStr, str } from './request-items';
import { failedCondition, refusedItem } from './request-register';

export const taskKey = (requestId: string, systemId: string): Item => ({
  pk: { S: `REQ#${requestId}` },
  sk: { S: `${FULFILMENT_KEYS.taskPrefix}${systemId}` },
});

/**
 * Two processors writing the same tasks at once: DynamoDB cancels one transaction with
 * `TransactionConflict` rather than failing its conditions. Tried again, it finds the tasks there.
 */
const CONFLICT_ATTEMPTS = 4;

export class DynamoDbFulfilmentRegister implements FulfilmentRegister {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly requestsTableName: string,
  ) {}

  async createTasks(tasks: readonly FulfilmentTask[], audit: AuditEvent): Promise<FulfilmentTask[]> {
    const first = tasks[0];
    if (first === undefined) return [];
    if (tasks.some((task) => task.requestId !== first.requestId))
      throw new Error('createTasks: the tasks of one request at a time');
    const items: TransactWriteItem[] = [
      ...tasks.map(
        (task): TransactWriteItem => ({
          Put: {
            TableName: this.requestsTableName,
            Item: { ...taskKey(task.requestId, task.systemId), ...fromTask(task) },
            ConditionExpression: 'attribute_not_exists(pk)',
          },
        }),
      ),
      { Put: this.auditPut(first.requestId, audit) },
    ];
    for (let attempt = 1; ; attempt += 1) {
      try {
        await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
        return this.tasksOf(first.requestId);
      } catch (error) {
        // A task already there (or this very audit item: the same retry at the same instant).
        if (items.some((_, index) => failedCondition(error, index))) return this.tasksOf(first.requestId);
        if (!isConflict(error) || attempt >= CONFLICT_ATTEMPTS) throw error;
        await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
      }
    }
  }

  async tasksOf(requestId: string): Promise<FulfilmentTask[]> {
    const tasks: FulfilmentTask[] = [];
    let startKey: Item | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.requestsTableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :task)',
          ExpressionAttributeValues: {
            ':pk': { S: `REQ#${requestId}` },
            ':task': { S: FULFILMENT_KEYS.taskPrefix },
          },
          ConsistentRead: true,
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) tasks.push(toTask(item));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return tasks;
  }

  async answerTask(
    requestId: string,
    systemId: string,
    answer: StoredAnswer,
    by: TaskAnswerer,
    at: Date,
    audit: AuditEvent,
  ): Promise<AnswerResult> {
    const values: Item = {
      ':open': { S: 'open' },
      ':state': { S: answer.state },
      ':at': { S: at.toISOString() },
      ':by': answererValue(by),
    };
    const sets = ['#state = :state', 'answeredAt = :at', 'answeredBy = :by'];
    if (answer.state === 'done') {
      values[':outcome'] = { S: answer.outcome };
      values[':sealed'] = str(answer.sealedData);
      sets.push('outcome = :outcome', 'sealedData = :sealed');
    } else {
      values[':reason'] = { S: answer.reason };
      sets.push('reason = :reason');
    }
    try {
      await this.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.requestsTableName,
                Key: taskKey(requestId, systemId),
                UpdateExpression: `SET ${sets.join(', ')}`,
                // Only an open task: an absent one fails too (and returns no item: unknown).
                ConditionExpression: '#state = :open',
                ExpressionAttributeNames: { '#state': 'state' },
                ExpressionAttributeValues: values,
                ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
              },
            },
            // Two systems may answer in the same millisecond: the system id keeps their audit items apart.
            { Put: this.auditPut(requestId, audit, systemId) },
          ],
        }),
      );
    } catch (error) {
      const current = refusedItem(error, 0);
      if (current) return { outcome: 'already-answered', task: toTask(current) };
      if (failedCondition(error, 0)) return { outcome: 'unknown-task' };
      // The audit item exists (the same answer at the same instant) or two answers raced: as it stands.
      if (!(error instanceof TransactionCanceledException)) throw error;
      const task = await this.task(requestId, systemId);
      if (task === null) return { outcome: 'unknown-task' };
      if (task.state !== 'open') return { outcome: 'already-answered', task };
      throw error;
    }
    const task = await this.task(requestId, systemId);
    if (task === null) throw new Error(`task ${systemId} of ${requestId} vanished after its answer`);
    return { outcome: 'answered', task };
  }

  async markPublished(requestId: string, systemId: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.requestsTableName,
          Key: taskKey(requestId, systemId),
          UpdateExpression: 'SET publishedAt = :at',
          // The first time stays: the event went out then. Never creates a task that is not there.
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(publishedAt)',
          ExpressionAttributeValues: { ':at': { S: at.toISOString() } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private async task(requestId: string, systemId: string): Promise<FulfilmentTask | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.requestsTableName,
        Key: taskKey(requestId, systemId),
        ConsistentRead: true,
      }),
    );
    return Item ? toTask(Item) : null;
  }

  /** The register's audit item (adapters/dynamodb/request-register.ts): append-only. */
  private auditPut(requestId: string, event: AuditEvent, distinct?: string) {
    return {
      TableName: this.requestsTableName,
      Item: {
        pk: { S: `REQ#${requestId}` },
        sk: { S: `AUDIT#${event.at}#${event.event}${distinct ? `#${distinct}` : ''}` },
        at: { S: event.at },
        event: { S: event.event },
        detail: { S: JSON.stringify(event.detail) },
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    };
  }
}

function isConflict(error: unknown): boolean {
  return (
    error instanceof TransactionCanceledException &&
    (error.CancellationReasons ?? []).some((reason) => reason.Code === 'TransactionConflict')
  );
}

function answererValue(by: TaskAnswerer): AttributeValue {
  const who: Item =
    by.via === 'api'
      ? { via: { S: 'api' }, caller: { S: by.caller } }
      : { via: { S: 'cli' }, person: { S: by.person } };
  return { M: who };
}

function readAnswerer(item: Item): TaskAnswerer | null {
  const value = item.answeredBy?.M;
  const via = value?.via?.S;
  if (via === 'api' && value?.caller?.S) return { via: 'api', caller: value.caller.S };
  if (via === 'cli' && value?.person?.S) return { via: 'cli', person: value.person.S };
  return null;
}

export function fromTask(task: FulfilmentTask): Item {
  const item: Item = {
    requestId: { S: task.requestId },
    systemId: { S: task.systemId },
    kind: { S: task.kind },
    toldBy: { S: task.toldBy },
    state: { S: task.state },
    createdAt: { S: task.createdAt },
    outcome: str(task.outcome),
    reason: str(task.reason),
    sealedData: str(task.sealedData),
    answeredAt: str(task.answeredAt),
  };
  // Index keys of the register (by-status-due, by-subject): written only when set.
  if (task.dueAt !== null) item.dueAt = { S: task.dueAt };
  if (task.subjectKey !== null) item.subjectKey = { S: task.subjectKey };
  if (task.answeredBy !== null) item.answeredBy = answererValue(task.answeredBy);
  if (task.publishedAt !== null) item.publishedAt = { S: task.publishedAt };
  return item;
}

export function toTask(item: Item): FulfilmentTask {
  return {
    requestId: readStr(item, 'requestId') ?? '',
    systemId: readStr(item, 'systemId') ?? '',
    kind: readStr(item, 'kind') as FulfilmentKind,
    dueAt: readStr(item, 'dueAt'),
    subjectKey: readStr(item, 'subjectKey'),
    toldBy: (readStr(item, 'toldBy') ?? 'person') as FulfilmentTask['toldBy'],
    state: (readStr(item, 'state') ?? 'open') as TaskState,
    createdAt: readStr(item, 'createdAt') ?? '',
    outcome: readStr(item, 'outcome') as TaskOutcome | null,
    reason: readStr(item, 'reason'),
    sealedData: readStr(item, 'sealedData'),
    answeredAt: readStr(item, 'answeredAt'),
    answeredBy: readAnswerer(item),
    publishedAt: readStr(item, 'publishedAt'),
  };
}
