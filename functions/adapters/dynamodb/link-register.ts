/**
 * The register as the public pages and the notices see it (ports/request-register.ts LinkRegister):
 * link tokens counted, spent and acted on, the subject's record read, a subject's requests listed.
 * A subclass, so that the inbound function's bundle carries none of it.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  GetItemCommand,
  PutItemCommand,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { AuditEvent, RegisteredRequest } from '../../domain/requests/registered-request';
import { SUBJECT_FLAGS, type SubjectEffect } from '../../domain/requests/request-policies';
import type {
  LinkRegister,
  RedemptionResult,
  StoredToken,
  SubjectFlag,
  SubjectRecord,
  TokenRedemption,
  TokenTouch,
} from '../../ports/request-register';
import { REQUEST_INDEXES } from '../../shared/table-design';
import {
  type Item,
  OPS_QUEUE,
  OPS_QUEUE_AT,
  readStr,
  requestKey,
  subjectItemKey,
  TTL,
  tokenKey,
} from './request-items';
import { COUNTER_TTL_SECONDS, DynamoDbRequestRegister, failedCondition } from './request-register';

export class DynamoDbLinkRegister extends DynamoDbRequestRegister implements LinkRegister {
  /**
   * Gives back the flags a cancelled request held, under the holders read just before: a flag held by
   * this request alone is removed (with its time), one also held by others loses this holder only.
   */
  private subjectReleaseUpdate(
    subjectKey: string,
    requestId: string,
    effect: SubjectEffect,
    current: SubjectRecord,
    at: string,
  ) {
    const removes: string[] = [];
    const deletes: string[] = [];
    const conditions: string[] = [];
    for (const flag of Object.keys(effect) as SubjectFlag[]) {
      const holders = current.flags[flag]?.heldBy ?? [];
      if (!holders.includes(requestId)) continue;
      if (holders.length === 1) {
        removes.push(flag, `${flag}At`, `${flag}By`);
        conditions.push(`size(${flag}By) = :one AND contains(${flag}By, :requestId)`);
      } else {
        deletes.push(`${flag}By :holder`);
        conditions.push(`size(${flag}By) = :${flag}Count AND contains(${flag}By, :requestId)`);
      }
    }
    if (conditions.length === 0) return null;
    const values: Item = { ':at': { S: at }, ':requestId': { S: requestId } };
    // DynamoDB refuses values an expression does not use: each is added only when its part is there.
    if (removes.length > 0) values[':one'] = { N: '1' };
    if (deletes.length > 0) values[':holder'] = { SS: [requestId] };
    for (const flag of Object.keys(effect) as SubjectFlag[]) {
      const count = current.flags[flag]?.heldBy.length ?? 0;
      if (count > 1) values[`:${flag}Count`] = { N: String(count) };
    }
    return {
      TableName: this.tables.subjectsTableName,
      Key: subjectItemKey(subjectKey, 'PROFILE'),
      UpdateExpression:
        'SET updatedAt = :at' +
        (removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : '') +
        (deletes.length > 0 ? ` DELETE ${deletes.join(', ')}` : ''),
      ConditionExpression: conditions.join(' AND '),
      ExpressionAttributeValues: values,
    };
  }

  async touchToken(tokenHash: string, maxAttempts: number): Promise<TokenTouch> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.requestsTableName,
          Key: tokenKey(tokenHash),
          UpdateExpression: 'ADD attempts :one',
          ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(attempts) OR attempts < :max)',
          ExpressionAttributeValues: { ':one': { N: '1' }, ':max': { N: String(maxAttempts) } },
          ReturnValues: 'ALL_NEW',
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      const item = Attributes ?? {};
      const storedHash = (readStr(item, 'pk') ?? '').slice('TOKEN#'.length);
      // The key lookup already matched; comparing again in constant time costs nothing and keeps a
      // future change of the lookup (a prefix query, a cache) from turning into a timing oracle.
      if (!sameHash(storedHash, tokenHash)) return { outcome: 'unknown' };
      const usedAt = readStr(item, 'usedAt');
      return {
        outcome: 'found',
        token: {
          tokenHash,
          purpose: readStr(item, 'purpose') as StoredToken['purpose'],
          requestId: readStr(item, 'requestId') ?? '',
          expiresAt: new Date(readStr(item, 'expiresAtIso') ?? 0),
          usedAt: usedAt ? new Date(usedAt) : null,
          attempts: Number(item.attempts?.N ?? '0'),
        },
      };
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) {
        return error.Item ? { outcome: 'exhausted' } : { outcome: 'unknown' };
      }
      throw error;
    }
  }

  async countSourceRequest(sourceKey: string, hour: string, maxPerHour: number, now: Date): Promise<boolean> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tables.subjectsTableName,
          Key: { pk: { S: `SOURCE#${sourceKey}` }, sk: { S: `PAGES#${hour}` } },
          UpdateExpression: 'ADD sentCount :one SET #ttl = :expires',
          ConditionExpression: 'attribute_not_exists(sentCount) OR sentCount < :max',
          ExpressionAttributeNames: { '#ttl': TTL },
          ExpressionAttributeValues: {
            ':one': { N: '1' },
            ':max': { N: String(maxPerHour) },
            ':expires': { N: String(Math.floor(now.getTime() / 1000) + COUNTER_TTL_SECONDS) },
          },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  async redeemToken(redemption: TokenRedemption): Promise<RedemptionResult> {
    const { at, requestId, request, subject } = redemption;
    const atIso = at.toISOString();
    const items: TransactWriteItem[] = [];
    if (redemption.tokenHash !== null) {
      items.push({
        // Single use: spent only if unused and unexpired (TTL deletes expired tokens lazily, so the
        // expiry is checked here too), and only for the request it was issued for.
        Update: {
          TableName: this.tables.requestsTableName,
          Key: tokenKey(redemption.tokenHash),
          UpdateExpression: 'SET usedAt = :at',
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(usedAt) AND expiresAtIso > :at AND requestId = :requestId',
          ExpressionAttributeValues: { ':at': { S: atIso }, ':requestId': { S: requestId } },
        },
      });
    }
    const requestIndex = items.length;
    const names: Record<string, string> = { '#status': 'status' };
    const values: Item = {};
    const sets: string[] = [];
    request.fromStatuses.forEach((status, index) => {
      values[`:from${index}`] = { S: status };
    });
    if (request.toStatus) {
      sets.push('#status = :to');
      values[':to'] = { S: request.toStatus };
    }
    if (request.proof) {
      sets.push('proof = :proof, provedAt = :at');
      values[':proof'] = { S: request.proof };
      values[':at'] = { S: atIso };
    }
    if (request.stamp) {
      sets.push(`${request.stamp} = :stampAt`);
      values[':stampAt'] = { S: atIso };
    }
    if (request.closingReason !== undefined) {
      sets.push('closingReason = :closingReason');
      values[':closingReason'] = { S: request.closingReason };
    }
    const fromList = request.fromStatuses.map((_, index) => `:from${index}`).join(', ');
    // Executed requests cannot be cancelled: the erasure executor stamps executedAt.
    const conditions = [`#status IN (${fromList})`, 'attribute_not_exists(executedAt)'];
    if (request.extendDue) {
      // One extension, from the due date read: a second one, or one racing this, is refused.
      sets.push(
        'dueAt = :dueTo, originalDueAt = :dueFrom, extendedAt = :extendedAt, extensionReason = :extensionReason',
      );
      conditions.push('dueAt = :dueFrom', 'attribute_not_exists(originalDueAt)');
      values[':dueFrom'] = { S: request.extendDue.from };
      values[':dueTo'] = { S: request.extendDue.to };
      values[':extendedAt'] = { S: atIso };
      values[':extensionReason'] = { S: request.extendDue.reason };
    }
    const removes: string[] = [];
    if (request.leaveOpsQueue) {
      names['#queue'] = OPS_QUEUE;
      names['#queueAt'] = OPS_QUEUE_AT;
      removes.push('#queue', '#queueAt');
      conditions.push('#queue = :queue');
      values[':queue'] = { S: request.leaveOpsQueue };
    }
    if (request.joinOpsQueue) {
      names['#joinQueue'] = OPS_QUEUE;
      names['#joinQueueAt'] = OPS_QUEUE_AT;
      sets.push('#joinQueue = :joinQueue, #joinQueueAt = :joinQueueAt');
      values[':joinQueue'] = { S: request.joinOpsQueue };
      values[':joinQueueAt'] = { S: atIso };
    }
    items.push({
      Update: {
        TableName: this.tables.requestsTableName,
        Key: requestKey(requestId),
        UpdateExpression:
          (sets.length > 0 ? `SET ${sets.join(', ')}` : 'SET #status = #status') +
          (removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''),
        ConditionExpression: conditions.join(' AND '),
        ExpressionAttributeNames: names,
        ExpressionAttributeValues: values,
      },
    });
    items.push({ Put: this.auditPut(requestId, redemption.audit) });
    if (subject?.apply && Object.keys(subject.apply).length > 0) {
      items.push({
        Update: this.subjectEffectUpdate(
          subject.key,
          requestId,
          subject.apply,
          atIso,
          subject.disseminationStoppedItems ?? [],
        ),
      });
    }
    const release = subject?.release
      ? this.subjectReleaseUpdate(
          subject.key,
          requestId,
          subject.release.effect,
          subject.release.current,
          atIso,
        )
      : null;
    const releaseIndex = release ? items.length : -1;
    if (release) items.push({ Update: release });
    if (subject?.clear) {
      const flag = subject.clear;
      items.push({
        Update: {
          TableName: this.tables.subjectsTableName,
          Key: subjectItemKey(subject.key, 'PROFILE'),
          UpdateExpression: `SET updatedAt = :at REMOVE ${flag}, ${flag}At, ${flag}By`,
          ExpressionAttributeValues: { ':at': { S: atIso } },
        },
      });
    }
    for (const notice of redemption.notices) items.push({ Put: this.noticePut(notice) });
    try {
      await this.client.send(new TransactWriteItemsCommand({ TransactItems: items }));
      return { outcome: 'done' };
    } catch (error) {
      if (requestIndex > 0 && failedCondition(error, 0)) return { outcome: 'token-spent' };
      if (failedCondition(error, requestIndex)) return { outcome: 'request-moved' };
      if (releaseIndex >= 0 && failedCondition(error, releaseIndex)) return { outcome: 'subject-changed' };
      throw error;
    }
  }

  async appendAudit(requestId: string, event: AuditEvent): Promise<void> {
    // Reads by two systems can land in the same millisecond: a random tail keeps both items.
    const put = this.auditPut(requestId, event);
    put.Item.sk = { S: `${put.Item.sk.S}#${randomUUID().slice(0, 8)}` };
    await this.client.send(new PutItemCommand(put));
  }

  async subjectRecord(subjectKey: string): Promise<SubjectRecord | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tables.subjectsTableName,
        Key: subjectItemKey(subjectKey, 'PROFILE'),
        ConsistentRead: true,
      }),
    );
    if (!Item) return null;
    const flags: Partial<Record<SubjectFlag, { since: string; heldBy: readonly string[] }>> = {};
    for (const flag of SUBJECT_FLAGS) {
      if (!Item[flag]?.BOOL) continue;
      flags[flag] = {
        since: readStr(Item, `${flag}At`) ?? '',
        heldBy: [...(Item[`${flag}By`]?.SS ?? [])].sort(),
      };
    }
    return { flags, disseminationStoppedItems: [...(Item.disseminationStoppedItems?.SS ?? [])].sort() };
  }

  async requestsOfSubject(subjectKey: string, limit = 500): Promise<RegisteredRequest[]> {
    return this.queryRequests(
      {
        IndexName: REQUEST_INDEXES.bySubject.indexName,
        KeyConditionExpression: '#subject = :subject',
        ExpressionAttributeNames: { '#subject': REQUEST_INDEXES.bySubject.partitionKey },
        ExpressionAttributeValues: { ':subject': { S: subjectKey } },
      },
      limit,
    );
  }
}

function sameHash(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
