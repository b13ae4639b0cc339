/**
 * The status-change processor: the subjects table's stream drives a function that appends each change
 * of a subject's marketing or processing state to the change feed (in the same table), publishes it to
 * the operator's EventBridge bus and, when the profile names an SES contact list, opts the contact out
 * there too. Records it cannot handle after its retries go to an encrypted dead-letter queue; alarms on
 * that queue, on function errors and on the stream falling behind go to the stack's topic.
 *
 *   subjects table ──stream (NEW_AND_OLD_IMAGES)──▶ λ status-changes ──▶ FEED items (subjects table)
 *                                                           ├─▶ EventBridge bus makul-<operator>-status
 *                                                           └─▶ SES contact list (optional)
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { OperatorProfile } from '../functions/domain/operators/operator-profile';
import { SETTING } from '../functions/shared/config';
import { alarmsTo } from './alarms';
import { MakulFunction } from './makul-function';
import type { MakulTables } from './makul-tables';
import {
  acknowledgeStreamInvocationOnly,
  EncryptedQueueDestination,
  grantStreamRead,
  streamDeadLetterQueue,
} from './table-stream-consumer';

/** The operator profile's optional `sesContactList` block. */
export type SesContactList = NonNullable<OperatorProfile['sesContactList']>;

/** The bus the processor publishes to: named, so that the environment can carry it before it exists. */
export function statusEventBusName(operatorId: string): string {
  return `makul-${operatorId}-status`;
}

/**
 * Stream records per invocation. Each change costs a feed transaction and an event (and maybe an SES
 * call), tens of milliseconds: a hundred changes fit well inside the timeout, and a burst of opt-outs
 * (a campaign's unsubscribe links) is worked off in few invocations.
 */
export const STATUS_CHANGES_BATCH_SIZE = 100;

/**
 * Retries of a failing batch before its records go to the dead-letter queue. With bisection and
 * reported item failures the retries close in on the record that fails; a transient outage (EventBridge,
 * SES, DynamoDB throttling) passes well within ten.
 */
export const STATUS_CHANGES_RETRY_ATTEMPTS = 10;

/**
 * A record still failing this long after it was written goes to the dead-letter queue. The stream keeps
 * records 24 hours and the dead-letter message only points at them (shard and sequence numbers), so
 * this leaves 18 hours to read them again from the stream (docs/status-api.md, "Status changes failed").
 */
export const STATUS_CHANGES_MAX_RECORD_AGE = Duration.hours(6);

/**
 * The stream is this far behind when the alarm fires. Unsubscribes must take effect at once (38-FZ art.
 * 18); the status API already answers from the table, but the feed and the events that marketing systems
 * sync from lag by this much.
 */
export const STATUS_CHANGES_ITERATOR_AGE_ALARM = Duration.minutes(5);

export interface StatusChangesProps {
  readonly operatorId: string;
  /** TypeScript entry of the processor (DynamoDB Streams events, partial batch responses). */
  readonly entry: string;
  /** Project root that holds package-lock.json and node_modules. */
  readonly projectRoot: string;
  /**
   * The environment every makul function gets, with EVENT_BUS_NAME set to `statusEventBusName(operatorId)`
   * (functionEnvironment's `eventBusName`).
   */
  readonly environment: Readonly<Record<string, string>>;
  /** The records: the subjects table's stream drives the function, which writes the feed there. */
  readonly tables: MakulTables;
  /**
   * The operator's SES contact list: an opt-out also updates the contact there.
   * @default - no contact list: no SES permissions, no access to requests or the HMAC key
   */
  readonly sesContactList?: SesContactList;
  /** Where the alarms go (and their all-clear): the stack's alarm topic. */
  readonly alarmTopic: sns.ITopic;
  /**
   * Function timeout: a batch of STATUS_CHANGES_BATCH_SIZE changes, a few AWS calls each, each call
   * bounded by functions/shared/aws-timeouts.ts (a quarter of this, like the inbound function's).
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
}

export class StatusChanges extends Construct {
  public readonly fn: MakulFunction;
  /** The custom bus of status-change events; operators add rules to it. */
  public readonly bus: events.EventBus;
  /** Where the event source mapping sends what it gave up on: pointers into the stream, no item data. */
  public readonly deadLetterQueue: sqs.Queue;
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: StatusChangesProps) {
    super(scope, id);
    const busName = statusEventBusName(props.operatorId);
    // The bus is named here and in the environment; a mismatch would only show as failed PutEvents.
    if (props.environment[SETTING.eventBusName] !== busName) {
      throw new Error(
        `StatusChanges: the environment must set ${SETTING.eventBusName} to ${busName} (functionEnvironment's eventBusName)`,
      );
    }

    this.bus = new events.EventBus(this, 'Bus', {
      eventBusName: busName,
      description: `makul ${props.operatorId}: subject status changes (keyed hashes only, never addresses)`,
    });

    this.fn = new MakulFunction(this, 'Function', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: `makul ${props.operatorId}: publishes subject status changes (change feed, events, SES contact list)`,
      timeout: props.timeout ?? Duration.seconds(60),
      // No reservation: the stream's shards bound the concurrency already (one invocation per shard at
      // a time, parallelization factor 1); a cap below them would only let the stream fall behind.
      environment: props.environment,
    });
    const fn = this.fn.function;
    const { tables } = props;
    // The feed lives in the subjects table: reading the changed subject, appending an entry and moving
    // HEAD in one transaction (its Put, Update and ConditionCheck are authorised one by one).
    tables.grantItemActionsOn(fn, 'subjects', [
      'dynamodb:GetItem',
      'dynamodb:Query',
      'dynamodb:PutItem',
      'dynamodb:UpdateItem',
      'dynamodb:ConditionCheckItem',
    ]);
    this.bus.grantPutEventsTo(fn);
    if (props.sesContactList) this.grantContactListSync(fn, tables, props.sesContactList);
    acknowledgeStreamInvocationOnly(fn);

    this.deadLetterQueue = streamDeadLetterQueue(this, tables.encryptionKey, {
      notARedriveSource:
        'This queue is itself a dead-letter queue: the on-failure destination of the subjects-stream event source mapping (Lambda, not another queue, sends to it, which cdk-nag does not recognise).',
      waitsForAPerson:
        'This is the dead-letter queue of the subjects-stream event source mapping; its messages wait for a person to replay the records from the stream (docs/status-api.md), not for another queue.',
    });

    const streamArn = tables.subjects.tableStreamArn;
    if (!streamArn) throw new Error('StatusChanges: the subjects table needs a stream (NEW_AND_OLD_IMAGES)');
    // The mapping is built here rather than with DynamoEventSource (see lib/table-stream-consumer.ts).
    grantStreamRead(fn, streamArn, tables.encryptionKey);
    fn.addEventSourceMapping('SubjectsStream', {
      eventSourceArn: streamArn,
      // Every change the stream still holds, also after the mapping was created or paused.
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: STATUS_CHANGES_BATCH_SIZE,
      bisectBatchOnError: true,
      // The handler names the first record it could not handle; the records before it are done.
      reportBatchItemFailures: true,
      retryAttempts: STATUS_CHANGES_RETRY_ATTEMPTS,
      maxRecordAge: STATUS_CHANGES_MAX_RECORD_AGE,
      // One batch per shard at a time: a subject's changes reach the feed in the order they were
      // written, and fewer appends contend for the feed's HEAD (each moves it conditionally).
      parallelizationFactor: 1,
      // Only subject records (`SUB#<hmac>` / `PROFILE`, functions/shared/table-design.ts) reach the
      // function. The same table holds the change feed (`FEED` / `HEAD`, `FEED` / `SEQ#…`, the
      // `CHANGE#…` markers) and the reply, page and operator counters: each change the processor handles
      // makes about four feed writes of its own, and each would otherwise reach it again (in an
      // invocation of its own when the stream is quiet) only to be skipped. Lambda drops records that do
      // not match before it batches them. The handler keeps its own check
      // (functions/status-changes/stream-record.ts): the local stream poller applies no filter.
      filters: [
        lambda.FilterCriteria.filter({
          dynamodb: { Keys: { sk: { S: lambda.FilterRule.isEqual('PROFILE') } } },
        }),
      ],
      onFailure: new EncryptedQueueDestination(this.deadLetterQueue, tables.encryptionKey),
    });

    this.alarms = this.createAlarms(props.alarmTopic);
  }

  /**
   * The optional SES list-management sync: the contact's address comes from the request that changed
   * the subject (the requests table) and is checked against the sid with the HMAC key; the contact is
   * read, created or updated in the one contact list the profile names.
   */
  private grantContactListSync(fn: lambda.IFunction, tables: MakulTables, contactList: SesContactList): void {
    // GetItem reads a request's sealed address; UpdateItem marks it synced and, once its reply is out,
    // forgets the address (functions/adapters/dynamodb/sealed-contacts.ts): conditional writes of
    // `contactListSynced` and `sealedContact` only.
    tables.grantItemActionsOn(fn, 'requests', ['dynamodb:GetItem', 'dynamodb:UpdateItem']);
    tables.grantReadHmacKey(fn);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['ses:GetContact', 'ses:CreateContact', 'ses:UpdateContact'],
        // arn:aws:ses:<region>:<account>:contact-list/<name>: contacts have no ARN of their own.
        resources: [
          Stack.of(this).formatArn({
            service: 'ses',
            resource: 'contact-list',
            resourceName: contactList.name,
          }),
        ],
      }),
    );
  }

  private createAlarms(topic: sns.ITopic): cloudwatch.Alarm[] {
    const fiveMinutes = Duration.minutes(5);
    return alarmsTo(this, topic, [
      {
        id: 'DeadLetterQueueNotEmpty',
        description:
          'Subject status changes failed after their retries: they are not in the change feed and no event was published (the status API still answers correctly). The stream keeps the records 24 hours from their write. Runbook: "Status changes failed" (docs/status-api.md).',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: cloudwatch.Stats.MAXIMUM,
          period: Duration.minutes(1),
        }),
        threshold: 1,
      },
      {
        id: 'FunctionErrors',
        description:
          'The status-change processor crashed or timed out (records it reports as failed are retried, not counted here). Runbook: "Status changes failed" (docs/status-api.md).',
        metric: this.fn.function.metricErrors({ statistic: cloudwatch.Stats.SUM, period: fiveMinutes }),
        threshold: 1,
      },
      {
        id: 'StreamBehind',
        description: `The status-change processor is more than ${STATUS_CHANGES_ITERATOR_AGE_ALARM.toMinutes()} minutes behind the subjects table's stream: the change feed and the events lag (it is failing, retrying or throttled). Runbook: "Status changes behind" (docs/status-api.md).`,
        metric: this.fn.function.metric('IteratorAge', {
          statistic: cloudwatch.Stats.MAXIMUM,
          period: Duration.minutes(1),
        }),
        threshold: STATUS_CHANGES_ITERATOR_AGE_ALARM.toMilliseconds(),
      },
    ]);
  }
}
