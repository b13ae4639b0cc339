/**
 * The deadline digest's once-a-day marker in the requests table (ports/digest-marker.ts):
 *
 *   pk = `DIGEST#<local date>`   sk = `DIGEST`   state (sending | sent | released), claimId, claimedAt,
 *                                                sentAt, messageId, releasedAt, overdue, dueSoon,
 *                                                expiresAt (TTL)
 *
 * Every write is conditional: the claim on the marker not existing (or released), the sent mark and the
 * release on the marker still being this claim's and `sending`. A release marks the item rather than
 * deleting it (no makul function deletes items; the released marker also shows a send was refused).
 * The deadline monitor's role may write these items and no other (its IAM policy limits the leading key
 * to `DIGEST#…`, lib/deadline-monitor.ts).
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { PlainDate } from '../../domain/requests/deadlines';
import type {
  DigestClaim,
  DigestClaimInput,
  DigestMarker,
  DigestMarkerState,
} from '../../ports/digest-marker';
import { epochSeconds, type Item, readStr, TTL } from './request-items';

/** The partition key prefix of the markers: the IAM policy's leading-key condition names it too. */
export const DIGEST_MARKER_PREFIX = 'DIGEST#';

/** A marker given back after a send that surely failed: the next claim takes it. */
const RELEASED = 'released';

export const digestMarkerKey = (day: PlainDate): Item => ({
  pk: { S: `${DIGEST_MARKER_PREFIX}${day}` },
  sk: { S: 'DIGEST' },
});

export class DynamoDbDigestMarker implements DigestMarker {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly requestsTableName: string,
  ) {}

  async claim(day: PlainDate, input: DigestClaimInput): Promise<DigestClaim> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.requestsTableName,
          Item: {
            ...digestMarkerKey(day),
            state: { S: 'sending' satisfies DigestMarkerState },
            claimId: { S: input.claimId },
            claimedAt: { S: input.at.toISOString() },
            overdue: { N: String(input.overdue) },
            dueSoon: { N: String(input.dueSoon) },
            [TTL]: { N: epochSeconds(input.expiresAt) },
          },
          // A released day (its send surely failed) is taken again; a sending or sent one is not.
          ConditionExpression: 'attribute_not_exists(pk) OR #state = :released',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':released': { S: RELEASED } },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return { outcome: 'claimed' };
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      const taken = error.Item ?? {};
      return {
        outcome: 'taken',
        state: readStr(taken, 'state') === 'sent' ? 'sent' : 'sending',
        claimedAt: readStr(taken, 'claimedAt'),
      };
    }
  }

  async markSent(day: PlainDate, claimId: string, messageId: string, at: Date): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.requestsTableName,
        Key: digestMarkerKey(day),
        UpdateExpression: 'SET #state = :sent, sentAt = :at, messageId = :messageId',
        ConditionExpression: 'claimId = :claimId AND #state = :sending',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: {
          ':sent': { S: 'sent' },
          ':sending': { S: 'sending' },
          ':at': { S: at.toISOString() },
          ':messageId': { S: messageId },
          ':claimId': { S: claimId },
        },
      }),
    );
  }

  async release(day: PlainDate, claimId: string, at: Date): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.requestsTableName,
          Key: digestMarkerKey(day),
          UpdateExpression: 'SET #state = :released, releasedAt = :at',
          ConditionExpression: 'claimId = :claimId AND #state = :sending',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: {
            ':claimId': { S: claimId },
            ':sending': { S: 'sending' },
            ':released': { S: RELEASED },
            ':at': { S: at.toISOString() },
          },
        }),
      );
    } catch (error) {
      // Not this claim's any more, or gone: nothing of ours to give back.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}
