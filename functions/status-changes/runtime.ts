/**
 * What λ status-changes talks to, built once per cold start: the change feed (DynamoDB), the event bus
 * (EventBridge) and, only when the profile names an SES contact list, the register's sealed addresses,
 * the contact list and the HMAC key that opens the addresses. Without the sync the function loads no
 * key, so it makes no Secrets Manager call and its role needs no access to the secret.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { DynamoDbSealedContacts } from '../adapters/dynamodb/sealed-contacts';
import { DynamoDbStatusFeed } from '../adapters/dynamodb/status-feed';
import { EventBridgeStatusEventPublisher } from '../adapters/eventbridge/status-event-publisher';
import { SesContactListSync } from '../adapters/ses/contact-list-sync';
import type { ContactListSync, SealedContactSource } from '../ports/contact-list';
import type { HmacKeySource } from '../ports/hmac-key-source';
import type { StatusEventPublisher } from '../ports/status-events';
import { AWS_CALL_TIMEOUTS, type SdkCallTimeouts, sdkClientTimeouts } from '../shared/aws-timeouts';
import { type FunctionConfig, SETTING } from '../shared/config';
import {
  dynamoDbClient,
  environmentCredentials,
  keySourceFor,
  signedSecretsManager,
} from '../shared/register-runtime';

/**
 * The calls this function makes beyond DynamoDB, bounded like the others (shared/aws-timeouts.ts): one
 * small PutEvents, and the contact-list calls (a read and a write of one contact). Both answer in tens
 * of milliseconds in the region; 3 attempts × 4 s stay inside one call budget.
 */
export const STATUS_CHANGE_CALL_TIMEOUTS: {
  readonly eventBridge: SdkCallTimeouts;
  readonly sesContacts: SdkCallTimeouts;
} = {
  eventBridge: { connectMs: 2_000, requestMs: 4_000, maxAttempts: 3 },
  sesContacts: { connectMs: 2_000, requestMs: 4_000, maxAttempts: 3 },
};

export interface StatusChangeRuntime {
  readonly feed: DynamoDbStatusFeed;
  readonly events: StatusEventPublisher;
  /** Null unless the profile names an SES contact list. */
  readonly contactList: { readonly sync: ContactListSync; readonly contacts: SealedContactSource } | null;
  readonly keySource: HmacKeySource;
}

/** Stands in for the key when no address is ever opened: the use case gets no key at all then. */
const NO_KEY_NEEDED: HmacKeySource = { load: async () => 'status-changes: no HMAC key needed' };

export function createStatusChangeRuntime(
  config: FunctionConfig,
  environment: NodeJS.ProcessEnv,
): StatusChangeRuntime {
  if (!config.eventBusName) {
    throw new Error(`status-changes configuration is invalid:\n${SETTING.eventBusName}: required`);
  }
  const credentials = environmentCredentials(environment);
  const dynamodb = dynamoDbClient(config, environment, AWS_CALL_TIMEOUTS);
  const eventBridge = new EventBridgeClient({
    region: config.region,
    endpoint: config.endpoints.eventBridge,
    credentials,
    ...sdkClientTimeouts(STATUS_CHANGE_CALL_TIMEOUTS.eventBridge),
  });
  const events = new EventBridgeStatusEventPublisher(
    eventBridge,
    config.eventBusName,
    config.profile.operator.id,
  );
  const feed = new DynamoDbStatusFeed(dynamodb, config.subjectsTableName);
  const list = config.profile.operator.sesContactList;
  if (!list) return { feed, events, contactList: null, keySource: NO_KEY_NEEDED };
  // Contact calls are reads and idempotent writes: the SDK's standard retries are safe here, unlike
  // for sends (shared/aws-timeouts.ts sesRetryStrategy).
  const ses = new SESv2Client({
    region: config.region,
    endpoint: config.endpoints.sesv2,
    credentials,
    ...sdkClientTimeouts(STATUS_CHANGE_CALL_TIMEOUTS.sesContacts),
  });
  const secretsManager = signedSecretsManager(config, environment, AWS_CALL_TIMEOUTS);
  return {
    feed,
    events,
    contactList: {
      sync: new SesContactListSync(ses, list),
      contacts: new DynamoDbSealedContacts(dynamodb, config.requestsTableName),
    },
    keySource: keySourceFor(config, secretsManager),
  };
}
