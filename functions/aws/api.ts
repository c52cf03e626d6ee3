import type { Jwks } from 'aws-jwt-verify/jwk';
import { handle, type LambdaContext, type LambdaEvent } from 'hono/aws-lambda';
import { createLogger, type Logger } from '../../core/log';
import { createApi } from '../api/app';
import { cognitoAuth } from '../api/auth-jwt';
import { type AwsClients, createApiRuntime, createAwsClients } from './runtime';

/** Handler type of the API function, for Lambda function URL and API Gateway HTTP API events. */
export type ApiHandler = (
  event: LambdaEvent,
  context?: LambdaContext,
) => ReturnType<ReturnType<typeof handle>>;

/** Inputs of the API handler; tests pass mocked clients and preloaded keys. */
export interface ApiHandlerOptions {
  env: NodeJS.ProcessEnv;
  clients?: AwsClients;
  logger?: Logger;
  /** The user pool's signing keys, preloaded so that no request goes to Cognito. */
  jwks?: Jwks;
}

/**
 * Builds the API function's handler: the Hono app over the S3 stores, the SQS queue, the ECS
 * launcher and Cognito sign-in. It waits for the RunTask started by a queued scan before it
 * returns, because Lambda freezes the process after the handler returns.
 */
export async function createApiHandler(options: ApiHandlerOptions): Promise<ApiHandler> {
  const logger = options.logger ?? createLogger({ name: 'api' });
  const clients = options.clients ?? createAwsClients(options.env);
  const runtime = await createApiRuntime(options.env, clients, logger);
  const app = createApi({
    ...runtime.dependencies,
    logger,
    auth: cognitoAuth({ ...runtime.userPool, jwks: options.jwks }),
  });
  const honoHandler = handle(app);

  return async (event, context) => {
    const response = await honoHandler(event, context);
    await runtime.launches.settle();
    return response;
  };
}

let cachedHandler: Promise<ApiHandler> | undefined;

/** Lambda entry point; the handler is built from the environment at the first invocation. */
export const handler: ApiHandler = async (event, context) => {
  cachedHandler ??= createApiHandler({ env: process.env }).catch((error: unknown) => {
    // A later invocation builds it again instead of failing forever.
    cachedHandler = undefined;
    throw error;
  });
  return (await cachedHandler)(event, context);
};
