/**
 * What λ fulfilment-tasks talks to, built once per cold start: the requests table (tasks) and the event
 * bus. It opens no address, so it loads no HMAC key: no Secrets Manager call, no access to the secret.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDbFulfilmentRegister } from '../adapters/dynamodb/fulfilment-register';
import { EventBridgeTaskEventPublisher } from '../adapters/eventbridge/task-event-publisher';
import type { FulfilmentRegister } from '../ports/fulfilment-register';
import type { HmacKeySource } from '../ports/hmac-key-source';
import type { TaskEventPublisher } from '../ports/task-events';
import { AWS_CALL_TIMEOUTS, type SdkCallTimeouts, sdkClientTimeouts } from '../shared/aws-timeouts';
import { type FunctionConfig, SETTING } from '../shared/config';
import { dynamoDbClient, environmentCredentials } from '../shared/register-runtime';

export interface FulfilmentTasksRuntime {
  readonly tasks: FulfilmentRegister;
  readonly events: TaskEventPublisher;
  readonly keySource: HmacKeySource;
}

/**
 * One small PutEvents a task, bounded like the status events' (status-changes/runtime.ts): tens of
 * milliseconds in the region; 3 attempts × 4 s stay inside one call budget (shared/aws-timeouts.ts).
 */
export const TASK_EVENT_CALL_TIMEOUTS: SdkCallTimeouts = {
  connectMs: 2_000,
  requestMs: 4_000,
  maxAttempts: 3,
};

/** Stands in for the key, which this function never needs. */
const NO_KEY_NEEDED: HmacKeySource = { load: async () => 'fulfilment-tasks: no HMAC key needed' };

export function createFulfilmentTasksRuntime(
  config: FunctionConfig,
  environment: NodeJS.ProcessEnv,
): FulfilmentTasksRuntime {
  if (!config.eventBusName) {
    throw new Error(`fulfilment-tasks configuration is invalid:\n${SETTING.eventBusName}: required`);
  }
  const dynamodb = dynamoDbClient(config, environment, AWS_CALL_TIMEOUTS);
  const eventBridge = new EventBridgeClient({
    region: config.region,
    endpoint: config.endpoints.eventBridge,
    credentials: environmentCredentials(environment),
    ...sdkClientTimeouts(TASK_EVENT_CALL_TIMEOUTS),
  });
  return {
    tasks: new DynamoDbFulfilmentRegister(dynamodb, config.requestsTableName),
    events: new EventBridgeTaskEventPublisher(eventBridge, config.eventBusName, config.profile.operator.id),
    keySource: NO_KEY_NEEDED,
  };
}
