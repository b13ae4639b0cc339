/**
 * One operator's deployment: mail in (SES → S3 → SNS → SQS), the inbound function, the records, mail
 * out (SES identities), the deferred-outbound job, the public pages, the private status API and the
 * status-change processor (change feed, events), alarms and a dashboard.
 */
import * as path from 'node:path';
import { CfnOutput, Duration, Fn, Stack, type StackProps, Tags, Validations } from 'aws-cdk-lib';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import type { Construct } from 'constructs';
import type { DeploymentProfile } from '../functions/domain/operators/operator-profile';
import { functionEnvironment } from '../functions/shared/function-environment';
import { DeadlineMonitor } from './deadline-monitor';
import { ErasureExecutor } from './erasure-executor';
import { FulfilmentTasks } from './fulfilment-tasks';
import { InboundAlarms } from './inbound-alarms';
import { InboundDashboard } from './inbound-dashboard';
import { InboundMailReceiving } from './inbound-mail-receiving';
import { domainOf, MailSendingIdentity } from './mail-sending-identity';
import { MakulFunction } from './makul-function';
import { MakulTables } from './makul-tables';
import { PublicPagesApi } from './public-pages-api';
import { ScheduledFunction } from './scheduled-function';
import { StatusApi } from './status-api';
import { StatusChanges, statusEventBusName } from './status-changes';
import { SystemsApi } from './systems-api';

/** How often deferred replies and forwards are looked at: windows open on the hour and at midnight. */
/**
 * The deferred-outbound job also sends the notices the public pages record (they hold no mail
 * client), so it runs every minute: a person who pressed Confirm hears back within about a minute.
 */
const DEFERRED_OUTBOUND_EVERY = Duration.minutes(1);

/** Project root: bin/, lib/ and functions/ sit directly under it. */
const PROJECT_ROOT = path.resolve(import.meta.dirname, '..');

/**
 * Item actions every makul function uses on the tables (functions/adapters/dynamodb/): reading a
 * request, a token or a subject, recording and updating them, listing an index.
 */
const FUNCTION_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:Query',
  // TransactWriteItems has no IAM action of its own: DynamoDB authorises each Put, Update and
  // ConditionCheck inside the transaction against the actions above and this one.
  'dynamodb:ConditionCheckItem',
] as const;

export interface MakulStackProps extends StackProps {
  /** The operator and its jurisdiction; `operator.env` decides where the stack goes. */
  readonly profile: DeploymentProfile;
  /**
   * Handler entry of the inbound function.
   * @default functions/inbound-email/index.ts under the project root
   */
  readonly inboundEntry?: string;
  /**
   * Handler entry of the public pages function.
   * @default functions/pages/index.ts under the project root
   */
  readonly pagesEntry?: string;
  /**
   * Handler entry of the status API function.
   * @default functions/status-api/index.ts under the project root
   */
  readonly statusApiEntry?: string;
  /**
   * Handler entry of the status-change processor.
   * @default functions/status-changes/index.ts under the project root
   */
  readonly statusChangesEntry?: string;
  /**
   * Reserved concurrency of the inbound function, also the event source's maximum concurrency. Five
   * concurrent batches stay far below on-demand DynamoDB limits and a fresh SES sending quota (14/s).
   * An account must keep 10 executions unreserved, so brand-new accounts (limit 10) need a quota increase.
   * @default 5
   */
  readonly inboundConcurrency?: number;
  /**
   * Inbound function timeout: a batch of ten messages, each up to maxMessageBytes, with a few DynamoDB
   * and SES calls each. The queue's visibility timeout is six times this.
   * @default Duration.seconds(60)
   */
  readonly inboundTimeout?: Duration;
  /**
   * Protects the stack from `cdk destroy` by accident; the tables are retained either way.
   * @default true
   */
  readonly terminationProtection?: boolean;
}

export class MakulStack extends Stack {
  public readonly tables: MakulTables;
  public readonly receiving: InboundMailReceiving;
  public readonly sending: MailSendingIdentity;
  public readonly inbound: MakulFunction;
  public readonly deferredOutbound: ScheduledFunction;
  public readonly alarms: InboundAlarms;
  public readonly publicPages: PublicPagesApi;
  public readonly statusApi: StatusApi;
  public readonly statusChanges: StatusChanges;
  public readonly deadlineMonitor: DeadlineMonitor;

  constructor(scope: Construct, id: string, props: MakulStackProps) {
    const { operator, jurisdiction } = props.profile;
    super(scope, id, {
      ...props,
      env: { account: operator.env.account, region: operator.env.region },
      terminationProtection: props.terminationProtection ?? true,
      description: `makul for ${operator.displayName.en} (${jurisdiction.id}): personal-data requests by mail, public pages, status API`,
    });
    Tags.of(this).add('makul:operator', operator.id);

    const inboundTimeout = props.inboundTimeout ?? Duration.seconds(60);
    const inboundConcurrency = props.inboundConcurrency ?? 5;

    this.tables = new MakulTables(this, 'Records');
    this.sending = new MailSendingIdentity(this, 'Sending', {
      operatorId: operator.id,
      supportAddresses: operator.supportAddresses,
    });
    this.receiving = new InboundMailReceiving(this, 'Receiving', {
      operatorId: operator.id,
      supportAddresses: operator.supportAddresses,
      minimumRawMailRetentionDays: operator.rawMailRetentionDays,
      consumerTimeout: inboundTimeout,
    });

    // Both functions claim outbound sends; a claim outlives the slower of them, twice over.
    const jobTimeout = Duration.seconds(60);
    const environmentValues = {
      profile: props.profile,
      requestsTableName: this.tables.requests.tableName,
      subjectsTableName: this.tables.subjects.tableName,
      rawMailBucketName: this.receiving.rawMailBucket.bucketName,
      hmac: { secretArn: this.tables.hmacSecret.secretArn },
      sesConfigurationSet: this.sending.configurationSetName,
      outboundClaimLeaseSeconds: Math.max(inboundTimeout.toSeconds(), jobTimeout.toSeconds()) * 2,
    };
    const environment = functionEnvironment(environmentValues);

    this.inbound = new MakulFunction(this, 'InboundEmail', {
      entry: props.inboundEntry ?? path.join(PROJECT_ROOT, 'functions', 'inbound-email', 'index.ts'),
      projectRoot: PROJECT_ROOT,
      description: `makul ${operator.id}: classifies and answers personal-data requests that arrive by email`,
      timeout: inboundTimeout,
      reservedConcurrentExecutions: inboundConcurrency,
      environment,
    });
    const inboundFunction = this.inbound.function;
    this.tables.grantItemActions(inboundFunction, FUNCTION_TABLE_ACTIONS);
    this.tables.grantReadHmacKey(inboundFunction);
    this.receiving.grantReadRawMail(inboundFunction);
    this.sending.grantSend(inboundFunction);
    inboundFunction.addEventSource(
      new SqsEventSource(this.receiving.queue, {
        batchSize: 10,
        // The handler reports the messages it could not handle; the rest of the batch is not retried.
        reportBatchItemFailures: true,
        // Equal to the reserved concurrency: the poller never asks for more than the function may run,
        // so messages are not throttled back to the queue (which would count against maxReceiveCount).
        maxConcurrency: inboundConcurrency,
      }),
    );
    Validations.of(inboundFunction).acknowledge(
      {
        id: 'Serverless-LambdaDLQ',
        reason:
          'The function is only invoked by its SQS event source (synchronously); failed messages go to the queue’s own dead-letter queue after 5 receives. A function DLQ applies to asynchronous invocations only.',
      },
      {
        id: 'Serverless-LambdaEventSourceMappingDestination',
        reason:
          'Lambda supports on-failure destinations for stream and Kafka sources, not SQS; the queue’s redrive policy (maxReceiveCount 5) sends failures to the dead-letter queue.',
      },
    );

    this.deferredOutbound = new ScheduledFunction(this, 'DeferredOutbound', {
      entry: path.join(PROJECT_ROOT, 'functions', 'deferred-outbound', 'index.ts'),
      projectRoot: PROJECT_ROOT,
      description: `makul ${operator.id}: sends the replies and forwards that waited for a rate-limit window`,
      timeout: jobTimeout,
      // One run at a time: two would only race for the same claims.
      reservedConcurrentExecutions: 1,
      environment,
      schedule: scheduler.ScheduleExpression.rate(DEFERRED_OUTBOUND_EVERY),
    });
    const deferredFunction = this.deferredOutbound.fn.function;
    this.tables.grantItemActions(deferredFunction, FUNCTION_TABLE_ACTIONS);
    this.tables.grantReadHmacKey(deferredFunction);
    this.receiving.grantReadRawMail(deferredFunction);
    this.sending.grantSend(deferredFunction);
    Validations.of(deferredFunction).acknowledge({
      id: 'Serverless-LambdaDLQ',
      reason:
        'Invoked by EventBridge Scheduler, which retries a failed run; every run works from the register’s deferred list, so a failed run leaves nothing to redeliver and the next run (minutes later) takes it up.',
    });

    this.alarms = new InboundAlarms(this, 'Alarms', {
      operatorId: operator.id,
      alarmEmail: operator.dpoEmail,
      inboundFunction,
      deferredOutboundFunction: deferredFunction,
      queue: this.receiving.queue,
      deadLetterQueue: this.receiving.deadLetterQueue,
      configurationSetName: this.sending.configurationSetName,
    });

    this.publicPages = new PublicPagesApi(this, 'PublicPages', {
      operatorId: operator.id,
      entry: props.pagesEntry ?? path.join(PROJECT_ROOT, 'functions', 'pages', 'index.ts'),
      projectRoot: PROJECT_ROOT,
      environment,
      confirmBaseUrl: operator.confirmBaseUrl,
      publicPages: operator.publicPages,
      alarmTopic: this.alarms.alarmTopic,
    });
    const pagesFunction = this.publicPages.fn.function;
    this.tables.grantItemActions(pagesFunction, FUNCTION_TABLE_ACTIONS);
    this.tables.grantReadHmacKey(pagesFunction);
    // No grantSend: the pages record notices and the deferred-outbound job sends them, so the one
    // function that answers the internet cannot send mail.

    // Marketing systems: the private status API and the processor behind its change feed and events.
    this.statusApi = new StatusApi(this, 'StatusApi', {
      operatorId: operator.id,
      entry: props.statusApiEntry ?? path.join(PROJECT_ROOT, 'functions', 'status-api', 'index.ts'),
      projectRoot: PROJECT_ROOT,
      environment,
      tables: this.tables,
      alarmTopic: this.alarms.alarmTopic,
    });
    this.statusChanges = new StatusChanges(this, 'StatusChanges', {
      operatorId: operator.id,
      entry: props.statusChangesEntry ?? path.join(PROJECT_ROOT, 'functions', 'status-changes', 'index.ts'),
      projectRoot: PROJECT_ROOT,
      environment: functionEnvironment({
        ...environmentValues,
        eventBusName: statusEventBusName(operator.id),
      }),
      tables: this.tables,
      sesContactList: operator.sesContactList,
      alarmTopic: this.alarms.alarmTopic,
    });

    const dashboard = new InboundDashboard(this, 'Dashboard', {
      operatorId: operator.id,
      alarms: this.alarms.alarms,
      inboundFunction,
      queue: this.receiving.queue,
      deadLetterQueue: this.receiving.deadLetterQueue,
      bounceRate: this.alarms.bounceRate,
      complaintRate: this.alarms.complaintRate,
      publicPages: {
        alarms: this.publicPages.alarms,
        api: this.publicPages.api,
        apiFunction: pagesFunction,
        throttledRequests: this.publicPages.throttledRequests,
      },
      statusApi: {
        alarms: this.statusApi.alarms,
        api: this.statusApi.api,
        apiFunction: this.statusApi.fn.function,
        throttledRequests: this.statusApi.throttledRequests,
      },
      statusChanges: {
        alarms: this.statusChanges.alarms,
        processorFunction: this.statusChanges.fn.function,
        deadLetterQueue: this.statusChanges.deadLetterQueue,
      },
    });

    // Legal deadlines (lib/deadline-monitor.ts): hourly gauges and alarms, the DPO's daily digest, a dashboard row.
    this.deadlineMonitor = new DeadlineMonitor(this, 'DeadlineMonitor', {
      operatorId: operator.id,
      entry: path.join(PROJECT_ROOT, 'functions', 'deadline-monitor', 'index.ts'),
      projectRoot: PROJECT_ROOT,
      environment,
      tables: this.tables,
      sending: this.sending,
      alarmTopic: this.alarms.alarmTopic,
      dueSoonWorkingDays: operator.dueSoonWorkingDays,
      dashboard: dashboard.dashboard,
    });
    new CfnOutput(this, 'DeadlineMonitorFunctionName', {
      value: this.deadlineMonitor.job.fn.function.functionName,
      description:
        'The deadline monitor Lambda function: run it by hand with aws lambda invoke (docs/runbook.md)',
    });

    // Fulfilment tasks (lib/fulfilment-tasks.ts): made from the requests stream, announced on the same
    // bus, a queue per system told by event (outputs FulfilmentQueueUrl<System>).
    new FulfilmentTasks(this, 'FulfilmentTasks', {
      operatorId: operator.id,
      entry: path.join(PROJECT_ROOT, 'functions', 'fulfilment-tasks', 'index.ts'),
      projectRoot: PROJECT_ROOT,
      environment: functionEnvironment({
        ...environmentValues,
        eventBusName: statusEventBusName(operator.id),
      }),
      tables: this.tables,
      bus: this.statusChanges.bus,
      dataSystems: operator.dataSystems,
      alarmTopic: this.alarms.alarmTopic,
      dashboard: dashboard.dashboard,
    });

    // Erasures (lib/erasure-executor.ts): every 15 minutes, destruction acts, alarms, a dashboard row.
    const erasureExecutor = new ErasureExecutor(this, 'ErasureExecutor', {
      operatorId: operator.id,
      entry: path.join(PROJECT_ROOT, 'functions', 'erasure-executor', 'index.ts'),
      projectRoot: PROJECT_ROOT,
      environment,
      tables: this.tables,
      rawMailBucket: this.receiving.rawMailBucket,
      alarmTopic: this.alarms.alarmTopic,
      actsNameAddress: operator.destructionActNamesAddress,
      dashboard: dashboard.dashboard,
    });
    new CfnOutput(this, 'ErasureExecutorFunctionName', {
      value: erasureExecutor.job.fn.function.functionName,
      description: 'The erasure executor Lambda function (makul erasure run does the same from a terminal)',
    });

    // The systems API (lib/systems-api.ts): data systems read requests and answer their tasks (SigV4).
    const systemsApi = new SystemsApi(this, 'SystemsApi', {
      operatorId: operator.id,
      entry: path.join(PROJECT_ROOT, 'functions', 'systems-api', 'index.ts'),
      projectRoot: PROJECT_ROOT,
      environment,
      tables: this.tables,
      alarmTopic: this.alarms.alarmTopic,
      dashboard: dashboard.dashboard,
    });
    for (const [outputId, value, description] of [
      ['SystemsApiUrl', systemsApi.url, 'Base URL of the private systems API (SigV4, service execute-api)'],
      [
        'SystemsApiCallerPolicyArn',
        systemsApi.callerPolicy.managedPolicyArn,
        'Managed policy to attach to each data system’s role: read requests, answer tasks (docs/systems-api.md)',
      ],
      [
        'SystemsApiAccessLogs',
        systemsApi.accessLogs.logGroupName,
        'Access logs of the systems API (no paths or bodies)',
      ],
    ] as const) {
      new CfnOutput(this, outputId, { value, description });
    }

    this.addOutputs(props.profile, dashboard.dashboard.dashboardName);
    this.addPublicPagesOutputs();
    this.addStatusOutputs();
  }

  /** What `cdk deploy` prints: the DNS records to publish and the names the runbook needs. */
  private addOutputs(profile: DeploymentProfile, dashboardName: string): void {
    const region = this.region;
    const receivingDomains = [...new Set(profile.operator.supportAddresses.map(domainOf))];
    receivingDomains.forEach((domain, index) => {
      new CfnOutput(this, `DnsMx${index + 1}`, {
        description: `MX record that delivers mail for ${domain} to SES receiving (or relay the support addresses there; see docs/deployment.md)`,
        value: `${domain} MX 10 inbound-smtp.${region}.amazonaws.com`,
      });
    });
    this.sending.domains.forEach((sendingDomain, domainIndex) => {
      sendingDomain.identity.dkimRecords.forEach((record, recordIndex) => {
        new CfnOutput(this, `DnsDkim${domainIndex + 1}Record${recordIndex + 1}`, {
          description: `Easy DKIM CNAME ${recordIndex + 1} of 3 for ${sendingDomain.domain}`,
          value: Fn.join(' ', [record.name, 'CNAME', record.value]),
        });
      });
      new CfnOutput(this, `DnsMailFromMx${domainIndex + 1}`, {
        description: `MX of the custom MAIL FROM domain of ${sendingDomain.domain}`,
        value: `${sendingDomain.mailFromDomain} MX 10 feedback-smtp.${region}.amazonses.com`,
      });
      new CfnOutput(this, `DnsMailFromSpf${domainIndex + 1}`, {
        description: `SPF of the custom MAIL FROM domain of ${sendingDomain.domain}`,
        value: `${sendingDomain.mailFromDomain} TXT "v=spf1 include:amazonses.com ~all"`,
      });
    });
    const outputs: ReadonlyArray<readonly [string, string, string]> = [
      ['ReceiptRuleSet', this.receiving.ruleSetName, 'Active SES receipt rule set of this operator'],
      ['RawMailBucket', this.receiving.rawMailBucket.bucketName, 'Raw inbound mail (expires by lifecycle)'],
      [
        'RawMailRetentionDays',
        String(this.receiving.rawMailRetentionDays),
        'Days raw mail is kept: inbound queue + dead-letter queue retention + 1 day, or rawMailRetentionDays if longer',
      ],
      ['InboundQueueUrl', this.receiving.queue.queueUrl, 'Queue the inbound function consumes'],
      ['InboundQueueArn', this.receiving.queue.queueArn, 'Redrive destination (docs/runbook.md)'],
      ['DeadLetterQueueUrl', this.receiving.deadLetterQueue.queueUrl, 'Failed inbound mail waits here'],
      ['DeadLetterQueueArn', this.receiving.deadLetterQueue.queueArn, 'Redrive source (docs/runbook.md)'],
      ['RequestsTable', this.tables.requests.tableName, 'Register, audit trail and tokens'],
      ['SubjectsTable', this.tables.subjects.tableName, 'Opt-outs, consent and restriction per subject key'],
      [
        'HmacSecretArn',
        this.tables.hmacSecret.secretArn,
        'HMAC key of subject keys (rotation: docs/runbook.md)',
      ],
      ['InboundFunctionName', this.inbound.function.functionName, 'The inbound Lambda function'],
      [
        'AlarmTopicArn',
        this.alarms.alarmTopic.topicArn,
        'Alarms; the DPO must confirm the email subscription',
      ],
      [
        'DashboardName',
        dashboardName,
        'CloudWatch dashboard: the inbound path, the public pages, the status API and its processor',
      ],
    ];
    for (const [id, value, description] of outputs) {
      new CfnOutput(this, id, { value, description });
    }
  }

  /** Where the links in mail must point, and the DNS record of the pages' custom domain. */
  private addPublicPagesOutputs(): void {
    const pages = this.publicPages;
    const domain = pages.domainName;
    const domainName = pages.customDomainName;
    new CfnOutput(this, 'PublicPagesUrl', {
      value: pages.url,
      description: domain
        ? 'Base URL of the public pages (the custom domain and its API mapping): confirmBaseUrl names it'
        : 'Base URL of the public pages (the API’s execute-api URL): confirmBaseUrl must name it, or a custom domain set in publicPages (docs/deployment.md)',
    });
    if (domain && domainName) {
      new CfnOutput(this, 'DnsPublicPages', {
        description: `CNAME (or Route 53 alias) that sends ${domainName} to the API's regional endpoint`,
        value: Fn.join(' ', [domainName, 'CNAME', domain.regionalDomainName]),
      });
      new CfnOutput(this, 'PublicPagesHostedZoneId', {
        description: `Hosted zone of the regional endpoint, for a Route 53 alias record of ${domainName}`,
        value: domain.regionalHostedZoneId,
      });
    }
    new CfnOutput(this, 'PagesFunctionName', {
      value: pages.fn.function.functionName,
      description: 'The public pages Lambda function',
    });
    new CfnOutput(this, 'PublicPagesAccessLogs', {
      value: pages.accessLogs.logGroupName,
      description: 'Access logs of the public pages (route templates and statuses; no paths, tokens or IPs)',
    });
  }

  /** What an operator gives a marketing system (docs/status-api.md), and where status changes go. */
  private addStatusOutputs(): void {
    const outputs: ReadonlyArray<readonly [string, string, string]> = [
      ['StatusApiUrl', this.statusApi.url, 'Base URL of the private status API (SigV4, service execute-api)'],
      [
        'StatusApiCallerPolicyArn',
        this.statusApi.callerPolicy.managedPolicyArn,
        'Managed policy to attach to a marketing system’s role: invoke the three status routes, nothing else',
      ],
      [
        'StatusApiAccessLogs',
        this.statusApi.accessLogs.logGroupName,
        'Access logs of the status API (route templates and statuses; no paths, queries or IPs)',
      ],
      ['StatusFunctionName', this.statusApi.fn.function.functionName, 'The status API Lambda function'],
      [
        'StatusEventBusName',
        this.statusChanges.bus.eventBusName,
        'EventBridge bus of subject status changes',
      ],
      ['StatusEventBusArn', this.statusChanges.bus.eventBusArn, 'EventBridge bus of subject status changes'],
      [
        'StatusChangesDeadLetterQueueUrl',
        this.statusChanges.deadLetterQueue.queueUrl,
        'Status changes the processor gave up on (pointers into the subjects stream; docs/status-api.md)',
      ],
    ];
    for (const [id, value, description] of outputs) {
      new CfnOutput(this, id, { value, description });
    }
  }
}
