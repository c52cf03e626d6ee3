import { DescribeImagesCommand, type ECRClient } from '@aws-sdk/client-ecr';
import type { EventBridgeEvent } from 'aws-lambda';
import { errorName } from '../../core/aws/sdk-errors';
import { createLogger, type Logger } from '../../core/log';
import { InvalidNameError, isRepository, isSha256Digest, isTag } from '../../core/names';
import { RegistryError } from '../../core/registry/errors';
import type { ScanService } from '../../core/scan/service';
import { type AwsClients, createAwsClients, createEcrPushRuntime } from './runtime';

/** `detail` of an ECR `ECR Image Action` event, with AWS's field names. */
export interface EcrImageActionDetail {
  'action-type': string;
  result: string;
  'repository-name': string;
  'image-digest'?: string;
  'image-tag'?: string;
}

/** The EventBridge event ECR sends for a push or delete, delivered best effort. */
export type EcrImageActionEvent = EventBridgeEvent<'ECR Image Action', EcrImageActionDetail>;

/** Outcome of one event: queued, already queued, or skipped with the reason. */
export type PushOutcome =
  | { action: 'queued' | 'already-queued'; scanId: string; digest: string }
  | { action: 'skipped'; reason: string };

/** Dependencies of the push handler; the runtime builds them from the environment. */
export interface EcrPushDependencies {
  scans: ScanService;
  /** Repository globs whose pushes are scanned; `*` matches any characters, `/` included. */
  patterns: string[];
  /** Returns the digest the tag points to, or undefined when ECR has no such image. */
  resolveDigest(repository: string, tag: string, registryId?: string): Promise<string | undefined>;
  logger: Logger;
}

/**
 * Queues a scan of the tag an ECR push event names, unless the repository matches no
 * pattern. A digest that is not `sha256:` with 64 hex digits (AWS's documented sample event
 * has 60) is resolved from ECR by tag, and the event is skipped with a logged reason when ECR
 * has no such image. A push without a tag is skipped, because results are keyed by tag.
 */
export async function handleEcrPush(
  event: EcrImageActionEvent,
  deps: EcrPushDependencies,
): Promise<PushOutcome> {
  const detail = event.detail ?? ({} as Partial<EcrImageActionDetail>);
  const repository = detail['repository-name'] ?? '';
  const tag = detail['image-tag'] ?? '';
  const logger = deps.logger.child({ eventId: event.id, repository, tag });

  const rejection = checkEvent(event, deps.patterns);
  if (rejection) return skip(logger, rejection);

  const digest = await eventDigest(detail, deps, event.account);
  if (!digest.value) return skip(logger, digest.reason);

  try {
    const { status, created } = await deps.scans.request({ repository, tag });
    const action = created ? 'queued' : 'already-queued';
    logger.info({ scanId: status.id, digest: digest.value, action }, 'ECR push scan requested');
    return { action, scanId: status.id, digest: digest.value };
  } catch (error) {
    const gone = error instanceof RegistryError && error.kind === 'not-found';
    if (gone || error instanceof InvalidNameError) return skip(logger, (error as Error).message);
    throw error;
  }
}

/** Returns why the event is not a scannable push, or undefined when it is one. */
function checkEvent(event: EcrImageActionEvent, patterns: string[]): string | undefined {
  const detail = event?.detail ?? {};
  if (event?.source !== 'aws.ecr' || event['detail-type'] !== 'ECR Image Action') {
    return `not an ECR Image Action event (source ${event?.source}, detail-type ${event?.['detail-type']})`;
  }
  if (detail['action-type'] !== 'PUSH' || detail.result !== 'SUCCESS') {
    return `action ${detail['action-type']} with result ${detail.result} is not a successful push`;
  }
  const repository = detail['repository-name'] ?? '';
  if (!isRepository(repository)) {
    return `repository ${JSON.stringify(repository)} is not a valid repository name`;
  }
  if (!detail['image-tag']) {
    return 'the push has no tag, and scan results are stored per tag';
  }
  if (!isTag(detail['image-tag'])) {
    return `tag ${JSON.stringify(detail['image-tag'])} is not a valid tag`;
  }
  if (!patterns.some((pattern) => matchesGlob(repository, pattern))) {
    return `repository matches none of SCAN_ON_PUSH_PATTERNS (${patterns.join(', ')})`;
  }
  return undefined;
}

/** Takes the event's digest when it is valid, else the digest ECR has for the tag. */
async function eventDigest(
  detail: Partial<EcrImageActionDetail>,
  deps: EcrPushDependencies,
  account: string | undefined,
): Promise<{ value?: string; reason: string }> {
  const given = detail['image-digest'] ?? '';
  if (isSha256Digest(given)) return { value: given, reason: '' };

  const repository = detail['repository-name'] ?? '';
  const tag = detail['image-tag'] ?? '';
  const resolved = await deps.resolveDigest(repository, tag, account);
  if (resolved && isSha256Digest(resolved)) {
    deps.logger.warn(
      { given, resolved, repository, tag },
      'ECR push digest invalid; resolved by tag',
    );
    return { value: resolved, reason: '' };
  }
  return {
    reason: `image-digest ${JSON.stringify(given)} is not "sha256:" with 64 hex digits, and ECR has no valid digest for ${repository}:${tag}`,
  };
}

/**
 * Tells whether `repository` matches `pattern`. Like ECR's scan-on-push filters, `*` matches
 * any characters including `/`, and `?` matches one character.
 */
export function matchesGlob(repository: string, pattern: string): boolean {
  const source = pattern
    .split('')
    .map((char) => {
      if (char === '*') return '.*';
      if (char === '?') return '.';
      return char.replace(/[\\^$.+()|[\]{}]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`).test(repository);
}

function skip(logger: Logger, reason: string): PushOutcome {
  logger.warn({ reason }, 'ECR push event skipped');
  return { action: 'skipped', reason };
}

/** Reads the digest ECR has for `repository:tag` with DescribeImages. */
export function describeImageDigest(ecr: ECRClient, defaultRegistryId?: string) {
  return async (repository: string, tag: string, account?: string): Promise<string | undefined> => {
    try {
      const response = await ecr.send(
        new DescribeImagesCommand({
          registryId: defaultRegistryId ?? account,
          repositoryName: repository,
          imageIds: [{ imageTag: tag }],
        }),
      );
      return response.imageDetails?.[0]?.imageDigest;
    } catch (error) {
      if (errorName(error) === 'ImageNotFoundException') return undefined;
      if (errorName(error) === 'RepositoryNotFoundException') return undefined;
      throw error;
    }
  };
}

/** Builds the ECR push handler from the environment; tests pass mocked clients. */
export async function createEcrPushHandler(options: {
  env: NodeJS.ProcessEnv;
  clients?: AwsClients;
  logger?: Logger;
}): Promise<(event: EcrImageActionEvent) => Promise<PushOutcome>> {
  const logger = options.logger ?? createLogger({ name: 'ecr-push' });
  const clients = options.clients ?? createAwsClients(options.env);
  const runtime = await createEcrPushRuntime(options.env, clients, logger);
  const deps: EcrPushDependencies = {
    scans: runtime.scans,
    patterns: runtime.patterns,
    resolveDigest: describeImageDigest(runtime.ecr, runtime.registryId),
    logger,
  };

  return async (event) => {
    const outcome = await handleEcrPush(event, deps);
    await runtime.launches.settle();
    return outcome;
  };
}

let cachedHandler: ReturnType<typeof createEcrPushHandler> | undefined;

/** Lambda entry point for the EventBridge rule; built from the environment at first use. */
export async function handler(event: EcrImageActionEvent): Promise<PushOutcome> {
  cachedHandler ??= createEcrPushHandler({ env: process.env }).catch((error: unknown) => {
    cachedHandler = undefined;
    throw error;
  });
  return (await cachedHandler)(event);
}
