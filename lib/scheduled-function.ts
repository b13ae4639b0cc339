/**
 * A makul function run on a schedule (EventBridge Scheduler): the deferred-outbound job now, the
 * deadline monitor and the erasure executor later. A run that fails is retried by Scheduler a few
 * times within a short window; what it did not finish, the next run picks up, because every job works
 * from the register's lists (nothing is lost with a skipped run).
 */
import { Duration, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as scheduler from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { MakulFunction, type MakulFunctionProps } from './makul-function';

export interface ScheduledFunctionProps extends MakulFunctionProps {
  /** How often it runs, e.g. `scheduler.ScheduleExpression.rate(Duration.minutes(5))`. */
  readonly schedule: scheduler.ScheduleExpression;
}

/** A run is only worth doing near its time; the next one follows within minutes anyway. */
const MAX_EVENT_AGE = Duration.minutes(10);
const RETRY_ATTEMPTS = 2;

/**
 * Invokes exactly this function. aws-scheduler-targets' LambdaInvoke would grant invoke on every
 * version and alias (`<arn>:*`); a schedule only ever calls the unqualified function.
 */
class InvokeFunction implements scheduler.IScheduleTarget {
  constructor(
    private readonly fn: lambda.IFunction,
    private readonly role: iam.IRole,
  ) {}

  bind(): scheduler.ScheduleTargetConfig {
    return {
      arn: this.fn.functionArn,
      role: this.role,
      retryPolicy: {
        maximumEventAgeInSeconds: MAX_EVENT_AGE.toSeconds(),
        maximumRetryAttempts: RETRY_ATTEMPTS,
      },
    };
  }
}

export class ScheduledFunction extends Construct {
  public readonly fn: MakulFunction;
  public readonly schedule: scheduler.Schedule;

  constructor(scope: Construct, id: string, props: ScheduledFunctionProps) {
    super(scope, id);
    this.fn = new MakulFunction(this, 'Function', props);
    // Its own role, assumable by Scheduler for this account only, allowed to invoke this function only.
    const invoker = new iam.Role(this, 'InvokerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Runs ${props.description}`,
    });
    invoker.attachInlinePolicy(
      new iam.Policy(this, 'Invoke', {
        statements: [
          new iam.PolicyStatement({
            actions: ['lambda:InvokeFunction'],
            resources: [this.fn.function.functionArn],
          }),
        ],
      }),
    );
    this.schedule = new scheduler.Schedule(this, 'Schedule', {
      schedule: props.schedule,
      description: props.description,
      target: new InvokeFunction(this.fn.function, invoker),
    });
  }
}
