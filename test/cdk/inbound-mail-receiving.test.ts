/**
 * The raw mail's lifetime follows the queues that point to it: a message redriven on the last day of the
 * dead-letter queue must still find its mail. One construct per case, in a bare stack.
 */
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../bin/app';
import {
  InboundMailReceiving,
  type InboundMailReceivingProps,
  RAW_MAIL_PREFIX,
  rawMailRetentionDays,
} from '../../lib/inbound-mail-receiving';

const DAY_SECONDS = 24 * 3600;

function receiving(overrides: Partial<InboundMailReceivingProps> = {}) {
  // The app's feature flags, as `cdk synth` sets them.
  const stack = new Stack(createApp(), 'Receiving', {
    env: { region: 'eu-west-1', account: '123456789012' },
  });
  const construct = new InboundMailReceiving(stack, 'Receiving', {
    operatorId: 'test',
    supportAddresses: ['support@example.kg'],
    minimumRawMailRetentionDays: 7,
    consumerTimeout: Duration.seconds(60),
    ...overrides,
  });
  return { construct, template: Template.fromStack(stack) };
}

/** Retention of the inbound queue (the one with a redrive policy) and of the DLQ, in days. */
function queueRetentionDays(template: Template) {
  const queues = Object.values(
    template.findResources('AWS::SQS::Queue') as Record<string, { Properties: Record<string, unknown> }>,
  );
  const days = (hasRedrive: boolean) => {
    const queue = queues.find(({ Properties }) => 'RedrivePolicy' in Properties === hasRedrive);
    return (queue?.Properties.MessageRetentionPeriod as number) / DAY_SECONDS;
  };
  return { inbound: days(true), deadLetters: days(false) };
}

function expectExpiration(template: Template, days: number) {
  template.hasResourceProperties('AWS::S3::Bucket', {
    LifecycleConfiguration: {
      Rules: [Match.objectLike({ Prefix: RAW_MAIL_PREFIX, ExpirationInDays: days, Status: 'Enabled' })],
    },
  });
}

describe('InboundMailReceiving raw-mail retention', () => {
  let defaults: ReturnType<typeof receiving>;

  // The first synthesis fingerprints the custom-resource handler's asset: seconds, so in the hook.
  beforeAll(() => {
    defaults = receiving();
  });

  it('outlives the inbound queue and the DLQ by a day, whatever the operator’s shorter minimum', () => {
    const { construct, template } = defaults;
    const { inbound, deadLetters } = queueRetentionDays(template);

    expect([inbound, deadLetters]).toEqual([4, 14]);
    expect(construct.rawMailRetentionDays).toBeGreaterThanOrEqual(deadLetters + inbound + 1);
    expectExpiration(template, deadLetters + inbound + 1);
  });

  it('moves with the DLQ’s retention', () => {
    const shorter = receiving({ deadLetterRetention: Duration.days(10) });
    const longer = receiving({ deadLetterRetention: Duration.days(12), queueRetention: Duration.days(2) });

    expect(queueRetentionDays(shorter.template)).toEqual({ inbound: 4, deadLetters: 10 });
    expectExpiration(shorter.template, 10 + 4 + 1);
    expect(queueRetentionDays(longer.template)).toEqual({ inbound: 2, deadLetters: 12 });
    expectExpiration(longer.template, 12 + 2 + 1);
  });

  it('keeps raw mail for the operator’s minimum when that is longer', () => {
    const { construct, template } = receiving({ minimumRawMailRetentionDays: 60 });

    expect(construct.rawMailRetentionDays).toBe(60);
    expectExpiration(template, 60);
  });

  it('rounds a retention that is not whole days up', () => {
    expect(
      rawMailRetentionDays({
        queueRetention: Duration.hours(36),
        deadLetterRetention: Duration.days(14),
        minimumDays: 1,
      }),
    ).toBe(17);
  });

  it('refuses a DLQ that keeps messages for less time than the inbound queue', () => {
    // Standard queues count DLQ retention from the first arrival: such a DLQ would drop messages at once.
    expect(() =>
      receiving({ queueRetention: Duration.days(4), deadLetterRetention: Duration.days(3) }),
    ).toThrow(/deadLetterRetention must be at least queueRetention/);
  });
});
