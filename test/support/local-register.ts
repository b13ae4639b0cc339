/**
 * A request register on its own DynamoDB Local, for tests that need only the register (the adapter's
 * own tests, the ops CLI): started with makul's tables, and stopped with everything it holds.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbRequestRegister } from '../../functions/adapters/dynamodb/request-register';
import { type DynamoDbLocalHandle, startDynamoDbLocal } from '../../local/dynamodb-local';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { createMakulTables, type MakulTableNames } from '../../local/makul-tables';

export interface LocalRegister {
  readonly dynamodb: DynamoDbLocalHandle;
  readonly client: DynamoDBClient;
  readonly register: DynamoDbRequestRegister;
  stop(): Promise<void>;
}

export async function startLocalRegister(tables: MakulTableNames): Promise<LocalRegister> {
  const dynamodb = await startDynamoDbLocal({ report: () => undefined });
  await createMakulTables(dynamodb.endpoint, tables);
  const client = new DynamoDBClient({
    region: LOCAL_REGION,
    endpoint: dynamodb.endpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  return {
    dynamodb,
    client,
    register: new DynamoDbRequestRegister(client, tables),
    stop: async () => {
      client.destroy();
      await dynamodb.dispose();
    },
  };
}
