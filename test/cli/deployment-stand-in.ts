/**
 * What `makul … --operator ID` asks AWS besides DynamoDB, on 127.0.0.1 for the CLI tests: CloudFormation's
 * DescribeStacks (the query protocol: a form-encoded POST, an XML answer, and for a stack that does not
 * exist the 400 ValidationError CloudFormation sends), and Secrets Manager's GetSecretValue (awsJson1_1).
 * The real SDK client and the functions' signed fetch call it (AWS_ENDPOINT_URL_CLOUDFORMATION,
 * AWS_ENDPOINT_URL_SECRETS_MANAGER, or an explicit endpoint); it records what was asked.
 */
import type { ServerResponse } from 'node:http';
import type { LocalServiceHandle } from '../../local/loopback';
import { sendJson, startStandInServer } from '../../local/stand-in-server';

export interface DeploymentStandIn extends LocalServiceHandle {
  /** Each call, in order: `DescribeStacks Makul-x2`, `GetSecretValue ARN`. */
  readonly calls: readonly string[];
}

export interface DeploymentStandInOptions {
  /** Stacks by name, each with its outputs. */
  readonly stacks: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Secrets by ARN. */
  readonly secrets?: Readonly<Record<string, string>>;
}

const XMLNS = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';

function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function sendXml(response: ServerResponse, status: number, body: string): void {
  const text = `<?xml version="1.0" encoding="UTF-8"?>\n${body}`;
  response.writeHead(status, {
    'content-type': 'text/xml',
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': 'stand-in-request',
  });
  response.end(text);
}

function describeStacksXml(name: string, outputs: Readonly<Record<string, string>>): string {
  const members = Object.entries(outputs)
    .map(
      ([key, value]) =>
        `<member><OutputKey>${xmlText(key)}</OutputKey><OutputValue>${xmlText(value)}</OutputValue>` +
        `<Description>stand-in</Description></member>`,
    )
    .join('');
  return (
    `<DescribeStacksResponse xmlns="${XMLNS}"><DescribeStacksResult><Stacks><member>` +
    `<StackName>${xmlText(name)}</StackName>` +
    `<StackId>arn:aws:cloudformation:eu-west-1:123456789012:stack/${xmlText(name)}/0f1e2d3c</StackId>` +
    `<CreationTime>2026-11-01T00:00:00.000Z</CreationTime><StackStatus>UPDATE_COMPLETE</StackStatus>` +
    `<Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult>` +
    `<ResponseMetadata><RequestId>stand-in-request</RequestId></ResponseMetadata></DescribeStacksResponse>`
  );
}

/** CloudFormation's answer for a stack that does not exist (also to DescribeStacks by name). */
function stackNotFoundXml(name: string): string {
  return (
    `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>ValidationError</Code>` +
    `<Message>Stack with id ${xmlText(name)} does not exist</Message></Error>` +
    `<RequestId>stand-in-request</RequestId></ErrorResponse>`
  );
}

export async function startDeploymentStandIn(options: DeploymentStandInOptions): Promise<DeploymentStandIn> {
  const calls: string[] = [];
  const server = await startStandInServer(
    'deployment stand-in',
    (request, body, response) => {
      const target = request.headers['x-amz-target'];
      if (target === 'secretsmanager.GetSecretValue') {
        const { SecretId } = JSON.parse(body) as { SecretId: string };
        calls.push(`GetSecretValue ${SecretId}`);
        const secret = options.secrets?.[SecretId];
        if (secret === undefined) {
          sendJson(response, 400, {
            __type: 'ResourceNotFoundException',
            message: "Secrets Manager can't find the specified secret.",
          });
          return;
        }
        sendJson(response, 200, { ARN: SecretId, Name: 'stand-in', SecretString: secret });
        return;
      }
      const form = new URLSearchParams(body);
      const action = form.get('Action');
      const name = form.get('StackName') ?? '';
      calls.push(`${action} ${name}`);
      if (action !== 'DescribeStacks') {
        sendXml(
          response,
          400,
          `<ErrorResponse xmlns="${XMLNS}"><Error><Type>Sender</Type><Code>InvalidAction</Code>` +
            `<Message>not in the stand-in</Message></Error></ErrorResponse>`,
        );
        return;
      }
      const outputs = options.stacks[name];
      if (outputs === undefined) sendXml(response, 400, stackNotFoundXml(name));
      else sendXml(response, 200, describeStacksXml(name, outputs));
    },
    { report: () => undefined },
  );
  return { ...server, calls };
}
