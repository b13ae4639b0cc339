/**
 * λ erasure-executor, run every 15 minutes by a schedule: executes the confirmed erasures and consent
 * withdrawals whose operator systems have all answered (functions/app/execute-erasure.ts): makul's own
 * personal data of the subject destroyed, the destruction act written, the request completed.
 *
 * It builds only the adapters it uses: DynamoDB (the requests table; never the subjects table, whose
 * suppression entry stays), S3 through a signed fetch (DeleteObject of raw mail), and the HMAC key only
 * when the operator's acts name the subject's address (destructionActNamesAddress).
 */
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { signedFetchClient } from '../adapters/aws-signed-fetch';
import { DynamoDbErasureRegister } from '../adapters/dynamodb/erasure-register';
import { DynamoDbFulfilmentRegister } from '../adapters/dynamodb/fulfilment-register';
import { DynamoDbLinkRegister } from '../adapters/dynamodb/link-register';
import { S3RawMailStore } from '../adapters/s3/raw-mail-store';
import { type ErasureRunReport, executeErasures } from '../app/execute-erasure';
import { AWS_CALL_TIMEOUTS } from '../shared/aws-timeouts';
import { loadFunctionConfig } from '../shared/config';
import { createLogger, type Logger } from '../shared/log';
import { functionMetrics } from '../shared/metrics';
import { dynamoDbClient, keySourceFor, signedSecretsManager } from '../shared/register-runtime';
import { FUNCTION_NAME } from './settings';

export type ErasureExecutorHandler = (event: unknown, context: Context) => Promise<ErasureRunReport>;

/** `now` is the clock the run is measured by; tests give their own. */
export function createErasureExecutorHandler(
  environment: NodeJS.ProcessEnv,
  logger?: Logger,
  now: () => Date = () => new Date(),
): ErasureExecutorHandler {
  const config = loadFunctionConfig(environment, FUNCTION_NAME);
  const { profile } = config;
  const log = logger ?? createLogger(config.logLevel, { fn: FUNCTION_NAME, operator: profile.operator.id });
  const dynamodb = dynamoDbClient(config, environment, AWS_CALL_TIMEOUTS);
  const tables = { requestsTableName: config.requestsTableName, subjectsTableName: config.subjectsTableName };
  const register = new DynamoDbLinkRegister(dynamodb, tables);
  const s3 = signedFetchClient({
    region: config.region,
    service: 's3',
    environment,
    timeouts: AWS_CALL_TIMEOUTS.s3,
  });
  const keySource = profile.operator.destructionActNamesAddress
    ? keySourceFor(config, signedSecretsManager(config, environment, AWS_CALL_TIMEOUTS))
    : null;
  const metrics = functionMetrics(FUNCTION_NAME, profile.operator.id, environment);
  const fulfilment = new DynamoDbFulfilmentRegister(dynamodb, config.requestsTableName);
  const erasure = new DynamoDbErasureRegister(dynamodb, config.requestsTableName);
  const rawMail = new S3RawMailStore(s3, config.region, config.endpoints.s3);

  return middy<unknown, ErasureRunReport>()
    .use([...metrics.middleware])
    .handler(async (_event, context) =>
      executeErasures(
        {
          profile,
          listing: register,
          register,
          fulfilment,
          erasure,
          rawMail,
          metrics: metrics.recorder,
          log: log.child({ awsRequestId: context.awsRequestId }),
          ...(keySource ? { hmacKey: () => keySource.load() } : {}),
        },
        now(),
      ),
    );
}
