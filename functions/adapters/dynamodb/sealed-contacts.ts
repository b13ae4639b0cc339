/**
 * A request's sealed address, read for the contact-list sync (ports/contact-list.ts): the register
 * entry's `sealedContact`, nothing else of it.
 */
import { type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { SealedContactSource } from '../../ports/contact-list';
import { readStr, requestKey } from './request-items';

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
}
