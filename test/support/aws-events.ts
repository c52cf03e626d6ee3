import { createSign, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import type { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Jwks } from 'aws-jwt-verify/jwk';
import type { LambdaEvent } from 'hono/aws-lambda';
import type { AwsClients } from '../../functions/aws/runtime';

/** Region and fake credentials of every test client, so no default chain or metadata is read. */
export const TEST_CLIENT = {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
};

export const ACCOUNT = '123456789012';
export const QUEUE_URL = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/berth-scans`;
export const DLQ_URL = `https://sqs.us-east-1.amazonaws.com/${ACCOUNT}/berth-scans-dlq`;
export const CLUSTER_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/berth`;
export const TASK_DEFINITION_ARN = `arn:aws:ecs:us-east-1:${ACCOUNT}:task-definition/berth-scanner:3`;
export const USER_POOL_ID = 'us-east-1_TestPool1';
export const CLIENT_ID = 'berth-test-client';

/** SDK clients for tests: S3 from s3rver, the others for aws-sdk-client-mock. */
export function testClients(s3: S3Client): AwsClients {
  return {
    s3,
    sqs: new SQSClient(TEST_CLIENT),
    ecs: new ECSClient(TEST_CLIENT),
    ecr: new ECRClient(TEST_CLIENT),
    secrets: new SecretsManagerClient(TEST_CLIENT),
  };
}

/** Environment of the Lambda functions, as the stack sets it, for a Distribution registry. */
export function functionEnv(bucket: string, registryUrl: string): Record<string, string> {
  return {
    AWS_REGION: 'us-east-1',
    DATA_BUCKET: bucket,
    DATA_PREFIX: 'data/',
    QUEUE_URL,
    DLQ_URL,
    CLUSTER_ARN,
    TASK_DEFINITION_ARN,
    TASK_SUBNETS: 'subnet-aaa, subnet-bbb',
    TASK_SECURITY_GROUPS: 'sg-scanner',
    MAX_TASKS: '1',
    SCANNER_URL: 'builtin',
    SCAN_TIMEOUT: '60s',
    REGISTRY_KIND: 'distribution',
    REGISTRY_URL: registryUrl,
    USER_POOL_ID,
    USER_POOL_CLIENT_ID: CLIENT_ID,
  };
}

/** Creates an RSA key pair: the public key as the user pool's JWKS, the private one to sign. */
export function createSigningKey(): { jwks: Jwks; sign(claims: Record<string, unknown>): string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const kid = 'test-key-1';
  const jwk = { ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' };
  return {
    jwks: { keys: [jwk] } as Jwks,
    sign: (claims) => signJwt(privateKey, kid, claims),
  };
}

/** Claims of a Cognito access token of the test pool, valid for an hour. */
export function accessClaims(username: string, groups: string[]): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  return {
    sub: `sub-${username}`,
    iss: `https://cognito-idp.us-east-1.amazonaws.com/${USER_POOL_ID}`,
    client_id: CLIENT_ID,
    token_use: 'access',
    scope: 'openid email profile',
    username,
    'cognito:groups': groups,
    iat: now,
    exp: now + 3600,
  };
}

function signJwt(key: KeyObject, kid: string, claims: Record<string, unknown>): string {
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${encode({ alg: 'RS256', kid, typ: 'JWT' })}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
  return `${input}.${signature}`;
}

/** A Lambda function URL event (payload format 2.0), as CloudFront with OAC forwards it. */
export const FUNCTION_URL_EVENT = {
  version: '2.0',
  routeKey: '$default',
  rawPath: '/',
  rawQueryString: '',
  headers: {
    host: 'abcdefghij.lambda-url.us-east-1.on.aws',
    'x-forwarded-proto': 'https',
    'x-forwarded-for': '198.51.100.7',
    via: '2.0 0123456789abcdef.cloudfront.net (CloudFront)',
    'user-agent': 'Amazon CloudFront',
  },
  requestContext: {
    accountId: ACCOUNT,
    apiId: 'abcdefghij',
    authorizer: {
      iam: { accessKey: 'ASIATEST', accountId: ACCOUNT, userArn: 'arn:aws:sts::cloudfront' },
    },
    domainName: 'abcdefghij.lambda-url.us-east-1.on.aws',
    domainPrefix: 'abcdefghij',
    http: {
      method: 'GET',
      path: '/',
      protocol: 'HTTP/1.1',
      sourceIp: '198.51.100.7',
      userAgent: 'Amazon CloudFront',
    },
    requestId: 'c5a2b1e0-0000-4000-8000-000000000001',
    routeKey: '$default',
    stage: '$default',
    time: '04/Dec/2026:10:00:00 +0000',
    timeEpoch: 1_796_378_400_000,
  },
  isBase64Encoded: false,
};

/** An API Gateway HTTP API event (payload format 2.0) for a `ANY /{proxy+}` route. */
export const HTTP_API_EVENT = {
  ...FUNCTION_URL_EVENT,
  routeKey: 'ANY /{proxy+}',
  headers: {
    host: 'k1l2m3n4o5.execute-api.us-east-1.amazonaws.com',
    'x-forwarded-proto': 'https',
    'x-forwarded-for': '198.51.100.7',
    'user-agent': 'vitest',
  },
  requestContext: {
    ...FUNCTION_URL_EVENT.requestContext,
    apiId: 'k1l2m3n4o5',
    authorizer: undefined,
    domainName: 'k1l2m3n4o5.execute-api.us-east-1.amazonaws.com',
    domainPrefix: 'k1l2m3n4o5',
    routeKey: 'ANY /{proxy+}',
  },
  pathParameters: { proxy: '' },
};

/** Builds an event of `base`'s shape for one request. */
export function apiEvent(
  base: typeof FUNCTION_URL_EVENT | typeof HTTP_API_EVENT,
  method: string,
  path: string,
  headers: Record<string, string> = {},
): LambdaEvent {
  return {
    ...base,
    rawPath: path,
    headers: { ...base.headers, ...headers },
    requestContext: {
      ...base.requestContext,
      http: { ...base.requestContext.http, method, path },
    },
    ...('pathParameters' in base ? { pathParameters: { proxy: path.slice(1) } } : {}),
  } as unknown as LambdaEvent;
}
