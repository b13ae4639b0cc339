/**
 * A request's sealed address as the contact-list sync (ports/contact-list.ts) uses it: the register
 * entry's `sealedContact`, read, and removed once neither the reply nor the sync needs it
 * (domain/requests/contact-retention.ts). Nothing else of the entry is read or written.
 */
import {
  ConditionalCheckFailedException,
  type DynamoDBClient,
  GetItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import type { SealedContactSource } from '../../ports/contact-list';
import { type Item, readStr, requestKey } from './request-items';

/** Set on a request once the contact-list sync is done with its address. */
export const CONTACT_LIST_SYNCED = 'contactListSynced';

export class DynamoDbSealedContacts implements SealedContactSource {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly requestsTableName: string,
  ) {}

  async sealedContactOf(requestId: string): Promise<string | null> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.requestsTableName,
        Key: requestKey(requestId),
        ProjectionExpression: 'sealedContact',
        ConsistentRead: true,
      }),
    );
    return Item ? readStr(Item, 'sealedContact') || null : null;
  }

  async markContactListSynced(requestId: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.requestsTableName,
          Key: requestKey(requestId),
          UpdateExpression: 'SET #synced = :true',
          // Never creates an entry: one gone since it was read has no address left to keep.
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#synced': CONTACT_LIST_SYNCED },
          ExpressionAttributeValues: { ':true': { BOOL: true } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async forgetContactIfReplied(requestId: string): Promise<boolean> {
    // `skipped`: the request sends nothing (a one-click unsubscribe), so no delivery will forget it.
    return removeSealedContactIf(this.client, this.requestsTableName, requestId, {
      condition: 'outboundState IN (:sent, :skipped)',
      values: { ':sent': { S: 'sent' }, ':skipped': { S: 'skipped' } },
    });
  }
}

/**
 * Removes a request's sealed address if the request is completed and `when` holds, in one conditional
 * write (the two parties that need the address check each other's mark this way, race-free); false
 * when the condition did not hold and nothing changed.
 */
export async function removeSealedContactIf(
  client: DynamoDBClient,
  requestsTableName: string,
  requestId: string,
  when: {
    readonly condition: string;
    readonly names?: Readonly<Record<string, string>>;
    readonly values: Item;
  },
): Promise<boolean> {
  try {
    await client.send(
      new UpdateItemCommand({
        TableName: requestsTableName,
        Key: requestKey(requestId),
        UpdateExpression: 'REMOVE sealedContact',
        ConditionExpression: `#status = :completed AND ${when.condition}`,
        ExpressionAttributeNames: { '#status': 'status', ...when.names },
        ExpressionAttributeValues: { ':completed': { S: 'completed' }, ...when.values },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
