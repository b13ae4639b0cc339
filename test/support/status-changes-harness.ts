/**
 * Runs the real status-change processor beside the inbound harness: the subjects table's stream on
 * DynamoDB Local, read by the stream poller (as Lambda's event source mapping would) into the deployed
 * handler, which publishes to the EventBridge stand-in and, when the contact-list sync is on, calls the
 * SES contacts stand-in. Tests act through the inbound function and the link pages, with the
 * dependencies `inboundDependencies()` gives (the same profile as the processor's, as in one stack),
 * then `drain()`.
 */
import type { Context, DynamoDBBatchResponse, DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDbStatusFeed } from '../../functions/adapters/dynamodb/status-feed';
import { STATUS_EVENT_DETAIL_TYPE } from '../../functions/adapters/eventbridge/status-event-publisher';
import type { DeploymentProfile } from '../../functions/domain/operators/operator-profile';
import type { StatusChange } from '../../functions/ports/subject-status';
import { functionEnvironment } from '../../functions/shared/function-environment';
import { createLogger } from '../../functions/shared/log';
import {
  createStatusChangesHandler,
  type StatusChangesHandler,
} from '../../functions/status-changes/handler';
import {
  type EventBridgeStandInHandle,
  type PutEvent,
  startEventBridgeStandIn,
} from '../../local/eventbridge-stand-in';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../../local/loopback';
import { type SesContactsStandInHandle, startSesContactsStandIn } from '../../local/ses-contacts-stand-in';
import { StreamPoller } from '../../local/stream-poller';
import { type HarnessDependencies, HMAC_KEY, type InboundHarness } from './inbound-harness';
import { sampleProfile } from './sample-profile';

export const EVENT_BUS_NAME = 'makul-x2-status';
export const CONTACT_LIST: NonNullable<DeploymentProfile['operator']['sesContactList']> = {
  name: 'x2-newsletter',
  topics: ['offers', 'news'],
};

export class StatusChangesHarness {
  /** Every batch the poller handed the handler, retries included, oldest first. */
  readonly batches: DynamoDBStreamEvent[] = [];
  /** Every log line the processor wrote, for the "no personal data in logs" checks. */
  readonly logLines: string[] = [];
  private syncing = false;
  private readonly handlers: { readonly plain: StatusChangesHandler; readonly syncing: StatusChangesHandler };

  private constructor(
    readonly inbound: InboundHarness,
    readonly bus: EventBridgeStandInHandle,
    readonly contacts: SesContactsStandInHandle,
    readonly feed: DynamoDbStatusFeed,
    readonly poller: StreamPoller,
  ) {
    const logger = createLogger('DEBUG', { fn: 'status-changes' }, (line) => this.logLines.push(line));
    const handlerFor = (profile: DeploymentProfile) =>
      createStatusChangesHandler(this.environment(profile), logger);
    this.handlers = {
      plain: handlerFor(sampleProfile()),
      syncing: handlerFor(sampleProfile({ sesContactList: CONTACT_LIST })),
    };
  }

  static async start(inbound: InboundHarness): Promise<StatusChangesHarness> {
    const quiet = () => undefined;
    const [bus, contacts] = await Promise.all([
      startEventBridgeStandIn({ report: quiet }),
      startSesContactsStandIn({ contactLists: [CONTACT_LIST.name], report: quiet }),
    ]);
    const feed = new DynamoDbStatusFeed(inbound.client, inbound.config.subjectsTableName);
    let harness: StatusChangesHarness | null = null;
    const poller = new StreamPoller({
      endpoint: inbound.dynamodb.endpoint,
      tableName: inbound.config.subjectsTableName,
      handler: (event) => {
        if (harness === null) throw new Error('the harness is not ready');
        return harness.handle(event);
      },
      retryDelayMs: 10,
      report: quiet,
    });
    harness = new StatusChangesHarness(inbound, bus, contacts, feed, poller);
    return harness;
  }

  async stop(): Promise<void> {
    await this.poller.stop();
    await Promise.allSettled([this.bus.dispose(), this.contacts.dispose()]);
  }

  /**
   * Whether the stack runs with the profile that names an SES contact list (off by default): the
   * processor, and the inbound function, pages and jobs acting with `inboundDependencies()`.
   */
  contactListSync(on: boolean): void {
    this.syncing = on;
  }

  /** The profile the stack runs with now: the inbound harness's own, with the contact list when on. */
  profile(): DeploymentProfile {
    const { profile } = this.inbound.config;
    return this.syncing
      ? { ...profile, operator: { ...profile.operator, sesContactList: CONTACT_LIST } }
      : profile;
  }

  /** The inbound harness's dependencies with the stack's current profile. */
  inboundDependencies(overrides: Partial<HarnessDependencies> = {}): HarnessDependencies {
    return this.inbound.dependencies({ profile: this.profile(), ...overrides });
  }

  /** Whether a request's register entry still holds its sealed address, and whether it was synced. */
  async contactOf(requestId: string): Promise<{ sealed: boolean; synced: boolean }> {
    const item = await this.inbound.requestItem(requestId);
    if (!item) throw new Error(`no request ${requestId}`);
    return { sealed: item.sealedContact?.S !== undefined, synced: item.contactListSynced?.BOOL === true };
  }

  /** One batch through the deployed handler, as Lambda invokes it. */
  async handle(event: DynamoDBStreamEvent): Promise<DynamoDBBatchResponse> {
    this.batches.push(event);
    const handler = this.syncing ? this.handlers.syncing : this.handlers.plain;
    return handler(event, { awsRequestId: `status-test-${this.batches.length}` } as Context);
  }

  /** Everything written so far, through the processor. */
  async drain(): Promise<void> {
    await this.poller.drain();
  }

  /** The feed's entries after `sequence`, all of them. */
  async changesAfter(sequence: number): Promise<StatusChange[]> {
    const changes: StatusChange[] = [];
    for (let after = sequence, more = true; more; ) {
      const page = await this.feed.changesAfter(after, 100);
      changes.push(...page.changes);
      after = page.lastSequence;
      more = page.more;
    }
    return changes;
  }

  /** The event as EventBridge would deliver it to a rule's target (what the schema describes). */
  static delivered(event: PutEvent): Record<string, unknown> {
    return {
      version: '0',
      id: event.eventId,
      'detail-type': event.detailType,
      source: event.source,
      account: '123456789012',
      time: new Date((event.time ?? 0) * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z'),
      region: LOCAL_REGION,
      resources: [],
      detail: event.detail,
    };
  }

  /** The events put for one subject. */
  eventsFor(sid: string): PutEvent[] {
    return this.bus.events.filter(
      (event) =>
        event.detailType === STATUS_EVENT_DETAIL_TYPE && (event.detail as { sid?: string }).sid === sid,
    );
  }

  private environment(profile: DeploymentProfile): NodeJS.ProcessEnv {
    const { config } = this.inbound;
    return {
      ...functionEnvironment({
        profile,
        requestsTableName: config.requestsTableName,
        subjectsTableName: config.subjectsTableName,
        rawMailBucketName: config.rawMailBucketName,
        hmac: { key: HMAC_KEY },
        region: LOCAL_REGION,
        endpoints: {
          dynamodb: this.inbound.dynamodb.endpoint,
          eventBridge: this.bus.endpoint,
          sesv2: this.contacts.endpoint,
        },
        eventBusName: EVENT_BUS_NAME,
      }),
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    };
  }
}
