/**
 * What the two functions fed by a table's stream (lib/status-changes.ts on the subjects table,
 * lib/fulfilment-tasks.ts on the requests table) share: the reading grants on that one stream, the
 * encrypted dead-letter queue that is the mapping's on-failure destination, and cdk-nag's word that a
 * function DLQ does not apply. Each consumer keeps its own mapping: batch size, retries and filters
 * are its own.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';

/** A function invoked only by its stream's event source mapping: failures go to the mapping's queue. */
export function acknowledgeStreamInvocationOnly(fn: lambda.IFunction): void {
  Validations.of(fn).acknowledge({
    id: 'Serverless-LambdaDLQ',
    reason:
      'The function is only invoked by its DynamoDB stream event source mapping (synchronously); records it cannot handle go to the mapping’s on-failure destination (an SQS queue). A function DLQ applies to asynchronous invocations only.',
  });
}

/**
 * The four stream actions on this stream only (DynamoEventSource's grant would add ListStreams on "*"),
 * and decryption of the records with the table's key. DynamoDB Streams documents no kms:ViaService
 * value of its own, so this decryption is not conditioned like the table's.
 */
export function grantStreamRead(fn: lambda.IFunction, streamArn: string, key: kms.IKey): void {
  fn.addToRolePolicy(
    new iam.PolicyStatement({
      actions: [
        'dynamodb:DescribeStream',
        'dynamodb:GetRecords',
        'dynamodb:GetShardIterator',
        'dynamodb:ListStreams',
      ],
      resources: [streamArn],
    }),
  );
  fn.addToRolePolicy(new iam.PolicyStatement({ actions: ['kms:Decrypt'], resources: [key.keyArn] }));
}

/**
 * The mapping's on-failure queue (`DeadLetters` in the consumer's scope). Its messages name the stream,
 * shards and sequence numbers, no item data: the records key covers them. Kept the SQS maximum: beyond
 * the stream's 24 hours the records are gone, but the message still says which never got through.
 */
export function streamDeadLetterQueue(
  scope: Construct,
  key: kms.IKey,
  reasons: { readonly notARedriveSource: string; readonly waitsForAPerson: string },
): sqs.Queue {
  const queue = new sqs.Queue(scope, 'DeadLetters', {
    encryption: sqs.QueueEncryption.KMS,
    encryptionMasterKey: key,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
  });
  Validations.of(queue).acknowledge(
    { id: 'AwsSolutions-SQS3', reason: reasons.notARedriveSource },
    { id: 'Serverless-SQSRedrivePolicy', reason: reasons.waitsForAPerson },
  );
  return queue;
}

/**
 * The event source mapping's on-failure destination. Lambda sends to it with the function's role, which
 * needs SendMessage and, the queue being encrypted, the key's GenerateDataKey and Decrypt through SQS.
 * `SqsDlq` would grant kms:ReEncrypt* and kms:GenerateDataKey* besides, wildcards this stack avoids.
 */
export class EncryptedQueueDestination implements lambda.IEventSourceDlq {
  constructor(
    private readonly queue: sqs.IQueue,
    private readonly key: kms.IKey,
  ) {}

  bind(_target: lambda.IEventSourceMapping, targetHandler: lambda.IFunction): lambda.DlqDestinationConfig {
    const stack = Stack.of(this.queue);
    targetHandler.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
    );
    targetHandler.addToRolePolicy(
      new iam.PolicyStatement({
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sqs.${stack.region}.${stack.urlSuffix}` } },
      }),
    );
    return { destination: this.queue.queueArn };
  }
}
