/**
 * The fulfilment-task processor: the requests table's stream drives a function that makes a request's
 * tasks when it becomes in-progress (one per data system concerned) and announces each task of a
 * system told by event on the operator's bus. Each such system gets its own queue, fed by a rule that
 * matches its id, for it to poll. Records the function cannot handle after its retries go to an
 * encrypted dead-letter queue; alarms on the dead-letter queues, on function errors and on the stream
 * falling behind go to the stack's topic.
 *
 *   requests table ──stream (NEW_AND_OLD_IMAGES, filtered)──▶ λ fulfilment-tasks ──▶ TASK items
 *                                                                     └─▶ bus makul-<operator>-status
 *   bus ──rule per system (detail-type, detail.system)──▶ SQS makul-<operator>-tasks-<system> (+ DLQ)
 */
import { CfnOutput, Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import {
  TASK_EVENT_DETAIL_TYPE,
  taskEventSource,
} from '../functions/adapters/eventbridge/task-event-publisher';
import type { DataSystem } from '../functions/domain/fulfilment/tasks';
import { FULFILMENT_KINDS } from '../functions/domain/requests/request-kinds';
import { SETTING } from '../functions/shared/config';
import { FULFILMENT_KEYS } from '../functions/shared/table-design';
import { alarmsTo } from './alarms';
import { MakulFunction } from './makul-function';
import type { MakulTables } from './makul-tables';
import { statusEventBusName } from './status-changes';
import {
  acknowledgeStreamInvocationOnly,
  EncryptedQueueDestination,
  grantStreamRead,
  streamDeadLetterQueue,
} from './table-stream-consumer';

/**
 * Stream records per invocation. Most records of the requests table are skipped by the filter before
 * they are batched; a request makes one transaction, a task one PutEvents and one write.
 */
export const FULFILMENT_TASKS_BATCH_SIZE = 50;

/** Retries of a failing batch before its records go to the dead-letter queue (as the status changes'). */
export const FULFILMENT_TASKS_RETRY_ATTEMPTS = 10;

/**
 * A record still failing this long after it was written goes to the dead-letter queue: the stream keeps
 * records 24 hours, which leaves 18 to read them again (the runbook's "Fulfilment tasks failed").
 */
export const FULFILMENT_TASKS_MAX_RECORD_AGE = Duration.hours(6);

/** The processor is this far behind the stream when the alarm fires: tasks and their events lag. */
export const FULFILMENT_TASKS_ITERATOR_AGE_ALARM = Duration.minutes(15);

/**
 * How long a task event waits in a system's queue. Legal terms run in days (3 working days for a stop
 * of dissemination, 30 for a destruction); the SQS maximum leaves a system that was down for a week
 * its tasks, and the deadline monitor alarms on the tasks themselves long before.
 */
export const SYSTEM_QUEUE_RETENTION = Duration.days(14);

/** Receives of a task event before it goes to the system's dead-letter queue. */
export const SYSTEM_QUEUE_MAX_RECEIVES = 5;

/** The queue a data system told by event polls for its tasks. */
export function systemQueueName(operatorId: string, systemId: string): string {
  return `makul-${operatorId}-tasks-${systemId}`;
}

/** `player-accounts` → `PlayerAccounts`: output names take letters and digits only. */
export function outputSuffix(systemId: string): string {
  return systemId
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

export interface FulfilmentTasksProps {
  readonly operatorId: string;
  /** TypeScript entry of the processor (DynamoDB Streams events, partial batch responses). */
  readonly entry: string;
  /** Project root that holds package-lock.json and node_modules. */
  readonly projectRoot: string;
  /** The environment every makul function gets, with EVENT_BUS_NAME set to `statusEventBusName(operatorId)`. */
  readonly environment: Readonly<Record<string, string>>;
  /** The records: the requests table's stream drives the function, which writes the tasks there. */
  readonly tables: MakulTables;
  /** The operator's bus (the status events' one, `statusEventBusName(operatorId)`): task events go there too. */
  readonly bus: events.IEventBus;
  /** The operator profile's data systems: each told by event gets a queue and a rule. */
  readonly dataSystems: readonly DataSystem[];
  /** Where the alarms go (and their all-clear): the stack's alarm topic. */
  readonly alarmTopic: sns.ITopic;
  /**
   * A row for the processor on this dashboard (its alarms, invocations, errors, iterator age, dead letters).
   * @default - no dashboard row
   */
  readonly dashboard?: cloudwatch.Dashboard;
  /**
   * Function timeout: a batch of FULFILMENT_TASKS_BATCH_SIZE records, a few bounded AWS calls each.
   * @default Duration.seconds(60)
   */
  readonly timeout?: Duration;
}

/** What a data system told by event gets: its queue, the queue's dead letters, and the rule. */
export interface SystemQueue {
  readonly systemId: string;
  readonly queue: sqs.Queue;
  readonly deadLetterQueue: sqs.Queue;
  readonly rule: events.Rule;
}

export class FulfilmentTasks extends Construct {
  public readonly fn: MakulFunction;
  /** Where the event source mapping sends what it gave up on: pointers into the stream, no item data. */
  public readonly deadLetterQueue: sqs.Queue;
  /** One per data system told by event, in the profile's order. */
  public readonly systemQueues: readonly SystemQueue[];
  public readonly alarms: readonly cloudwatch.Alarm[];

  constructor(scope: Construct, id: string, props: FulfilmentTasksProps) {
    super(scope, id);
    // The bus is the status events' (named before it exists); a mismatch would only show as failed PutEvents.
    const busName = statusEventBusName(props.operatorId);
    if (props.environment[SETTING.eventBusName] !== busName) {
      throw new Error(
        `FulfilmentTasks: the environment must set ${SETTING.eventBusName} to ${busName} (functionEnvironment's eventBusName)`,
      );
    }
    const { tables } = props;

    this.fn = new MakulFunction(this, 'Function', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: `makul ${props.operatorId}: makes fulfilment tasks and announces them to the operator's systems`,
      timeout: props.timeout ?? Duration.seconds(60),
      // No reservation: the stream's shards bound the concurrency already.
      environment: props.environment,
    });
    const fn = this.fn.function;
    this.grantTaskItems(fn, tables);
    props.bus.grantPutEventsTo(fn);
    acknowledgeStreamInvocationOnly(fn);

    this.deadLetterQueue = streamDeadLetterQueue(this, tables.encryptionKey, {
      notARedriveSource:
        'This queue is itself a dead-letter queue: the on-failure destination of the requests-stream event source mapping (Lambda sends to it, which cdk-nag does not recognise).',
      waitsForAPerson:
        'This is the dead-letter queue of the requests-stream event source mapping; its messages wait for a person to replay the records from the stream (docs/runbook.md), not for another queue.',
    });
    this.addStreamMapping(fn, tables);

    this.systemQueues = props.dataSystems
      .filter((system) => system.toldBy === 'event')
      .map((system) => this.systemQueue(props.operatorId, props.bus, system));

    this.alarms = this.createAlarms(props.alarmTopic);
    if (props.dashboard) this.addDashboardRow(props.dashboard);
  }

  private addDashboardRow(dashboard: cloudwatch.Dashboard): void {
    const fn = this.fn.function;
    const period = Duration.minutes(5);
    const sum = cloudwatch.Stats.SUM;
    const maximum = cloudwatch.Stats.MAXIMUM;
    dashboard.addWidgets(
      new cloudwatch.AlarmStatusWidget({
        title: 'Fulfilment tasks: alarms',
        alarms: [...this.alarms],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Fulfilment tasks: invocations, errors',
        left: [fn.metricInvocations({ period, statistic: sum }), fn.metricErrors({ period, statistic: sum })],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Fulfilment tasks: iterator age (ms)',
        left: [fn.metric('IteratorAge', { period, statistic: maximum })],
        width: 6,
      }),
      new cloudwatch.GraphWidget({
        title: 'Fulfilment tasks: dead letters (processor, systems)',
        left: [this.deadLetterQueue, ...this.systemQueues.map((system) => system.deadLetterQueue)].map(
          (queue) => queue.metricApproximateNumberOfMessagesVisible({ period, statistic: maximum }),
        ),
        width: 6,
      }),
    );
  }

  /**
   * The request items the processor touches, and nothing else: reads a request's tasks (Query,
   * GetItem), writes them and their audit items in one transaction (Put), notes an event sent (Update).
   * Only `REQ#…` partitions: tokens, Message-ID markers, digests and destruction acts stay out of reach;
   * no index, no delete, no HMAC key.
   */
  private grantTaskItems(fn: lambda.IFunction, tables: MakulTables): void {
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [tables.requests.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['REQ#*'] } },
      }),
    );
    const stack = Stack.of(this);
    fn.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:Encrypt', 'kms:GenerateDataKey', 'kms:DescribeKey'],
        resources: [tables.encryptionKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
  }

  private addStreamMapping(fn: lambda.Function, tables: MakulTables): void {
    const streamArn = tables.requests.tableStreamArn;
    if (!streamArn)
      throw new Error('FulfilmentTasks: the requests table needs a stream (NEW_AND_OLD_IMAGES)');
    grantStreamRead(fn, streamArn, tables.encryptionKey);
    const metaInProgress = {
      Keys: { sk: { S: lambda.FilterRule.isEqual('META') } },
      NewImage: {
        status: { S: lambda.FilterRule.isEqual('in-progress') },
        kind: { S: lambda.FilterRule.or(...FULFILMENT_KINDS) },
      },
    };
    fn.addEventSourceMapping('RequestsStream', {
      eventSourceArn: streamArn,
      startingPosition: lambda.StartingPosition.TRIM_HORIZON,
      batchSize: FULFILMENT_TASKS_BATCH_SIZE,
      bisectBatchOnError: true,
      reportBatchItemFailures: true,
      retryAttempts: FULFILMENT_TASKS_RETRY_ATTEMPTS,
      maxRecordAge: FULFILMENT_TASKS_MAX_RECORD_AGE,
      parallelizationFactor: 1,
      // Only what the processor acts on reaches it (functions/fulfilment-tasks/stream-record.ts keeps
      // the same check, for the local poller that applies no filter): a request entry new at
      // in-progress, one moved there from another status, and a task inserted for a system told by
      // event. The register's other writes (audit items, tokens, markers, outbound states, the
      // processor's own `publishedAt` notes) are dropped before batching. Notice entries are always
      // `completed`, so the status alone keeps them out.
      filters: [
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: metaInProgress,
        }),
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('MODIFY'),
          dynamodb: {
            ...metaInProgress,
            OldImage: { status: { S: lambda.FilterRule.notEquals('in-progress') } },
          },
        }),
        lambda.FilterCriteria.filter({
          eventName: lambda.FilterRule.isEqual('INSERT'),
          dynamodb: {
            Keys: { sk: { S: lambda.FilterRule.beginsWith(FULFILMENT_KEYS.taskPrefix) } },
            NewImage: { toldBy: { S: lambda.FilterRule.isEqual('event') } },
          },
        }),
      ],
      onFailure: new EncryptedQueueDestination(this.deadLetterQueue, tables.encryptionKey),
    });
  }

  /**
   * A system's queue: its task events only (a rule on the detail-type and `detail.system`), encrypted,
   * TLS only, with a dead-letter queue for events it cannot take (and for deliveries the rule could not
   * make). The events hold ids and the keyed hash only, so SQS-managed encryption is enough, and
   * EventBridge can send to it without a key policy.
   */
  private systemQueue(operatorId: string, bus: events.IEventBus, system: DataSystem): SystemQueue {
    const scope = new Construct(this, `System-${system.id}`);
    const deadLetterQueue = new sqs.Queue(scope, 'DeadLetters', {
      queueName: `${systemQueueName(operatorId, system.id)}-dlq`,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(deadLetterQueue).acknowledge(
      {
        id: 'AwsSolutions-SQS3',
        reason: `This queue is the dead-letter queue of ${system.id}'s task queue and of the rule that feeds it.`,
      },
      {
        id: 'Serverless-SQSRedrivePolicy',
        reason: `Dead letters of ${system.id}'s task queue wait for a person (docs/runbook.md); the task itself stays open in the register and the deadline monitor alerts on it.`,
      },
    );
    const queue = new sqs.Queue(scope, 'Queue', {
      queueName: systemQueueName(operatorId, system.id),
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: SYSTEM_QUEUE_RETENTION,
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: SYSTEM_QUEUE_MAX_RECEIVES },
    });
    if (system.callerRoleArn) {
      // The system's own role polls its queue, and no other system's.
      queue.grantConsumeMessages(new iam.ArnPrincipal(system.callerRoleArn));
    }
    const rule = new events.Rule(scope, 'Rule', {
      eventBus: bus,
      description: `makul ${operatorId}: fulfilment tasks of ${system.id} to its queue`,
      eventPattern: {
        source: [taskEventSource(operatorId)],
        detailType: [TASK_EVENT_DETAIL_TYPE],
        detail: { system: [system.id] },
      },
      // EventBridge retries a failed delivery for 24 hours, then puts the event in the dead letters.
      targets: [new targets.SqsQueue(queue, { deadLetterQueue })],
    });
    const output = new CfnOutput(scope, 'QueueUrl', {
      value: queue.queueUrl,
      description: `Queue ${system.id} polls for its fulfilment tasks ("Fulfilment Task Created" events; docs/events/fulfilment-task-created.md)`,
    });
    output.overrideLogicalId(`FulfilmentQueueUrl${outputSuffix(system.id)}`);
    return { systemId: system.id, queue, deadLetterQueue, rule };
  }

  private createAlarms(topic: sns.ITopic): cloudwatch.Alarm[] {
    const minute = Duration.minutes(1);
    return alarmsTo(this, topic, [
      {
        id: 'DeadLetterQueueNotEmpty',
        description:
          'Requests or tasks failed in the fulfilment-task processor after their retries: a request may have no tasks, or a system was not told of its task. The stream keeps the records 24 hours from their write. Runbook: "Fulfilment tasks failed" (docs/runbook.md).',
        metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: cloudwatch.Stats.MAXIMUM,
          period: minute,
        }),
        threshold: 1,
      },
      {
        id: 'FunctionErrors',
        description:
          'The fulfilment-task processor crashed or timed out (records it reports as failed are retried, not counted here). Runbook: "Fulfilment tasks failed" (docs/runbook.md).',
        metric: this.fn.function.metricErrors({
          statistic: cloudwatch.Stats.SUM,
          period: Duration.minutes(5),
        }),
        threshold: 1,
      },
      {
        id: 'StreamBehind',
        description: `The fulfilment-task processor is more than ${FULFILMENT_TASKS_ITERATOR_AGE_ALARM.toMinutes()} minutes behind the requests table's stream: tasks and their events lag. Runbook: "Fulfilment tasks failed" (docs/runbook.md).`,
        metric: this.fn.function.metric('IteratorAge', {
          statistic: cloudwatch.Stats.MAXIMUM,
          period: minute,
        }),
        threshold: FULFILMENT_TASKS_ITERATOR_AGE_ALARM.toMilliseconds(),
      },
      ...this.systemQueues.map((system) => ({
        id: `SystemDeadLetters-${system.systemId}`,
        description: `Task events for ${system.systemId} could not be delivered or were received ${SYSTEM_QUEUE_MAX_RECEIVES} times without being deleted: the system may not know of a task. The tasks stay open in the register. Runbook: "Fulfilment tasks failed" (docs/runbook.md).`,
        metric: system.deadLetterQueue.metricApproximateNumberOfMessagesVisible({
          statistic: cloudwatch.Stats.MAXIMUM,
          period: minute,
        }),
        threshold: 1,
      })),
    ]);
  }
}
