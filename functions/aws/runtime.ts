import { ECRClient } from '@aws-sdk/client-ecr';
import { ECSClient } from '@aws-sdk/client-ecs';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import { EcsTaskLauncher } from '../../core/aws/ecs-launcher';
import { S3ObjectStore } from '../../core/aws/s3-object-store';
import { SqsScanQueue } from '../../core/aws/sqs-queue';
import { readDuration, readInteger } from '../../core/config';
import type { Logger } from '../../core/log';
import type { Registry } from '../../core/registry/port';
import { HealthErrors, recordRegistryErrors } from '../../core/scan/health-errors';
import type { ScanLauncher } from '../../core/scan/launcher';
import { ScanService } from '../../core/scan/service';
import { ScanWorker } from '../../core/scan/worker';
import { createScanner, type Scanner } from '../../core/scanner';
import { HistoryStore } from '../../core/store/history';
import { ResultStore } from '../../core/store/results';
import { StatusStore } from '../../core/store/statuses';
import type { ApiDependencies } from '../api/context';
import { createApiScanner } from './api-scanner';
import { readList, readScannerUrl, readScanTimeout, requireVariable } from './env';
import { createRegistry, readSecretString } from './registry';

/** The AWS SDK clients of one deployment role; tests pass mocked or local ones. */
export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
  ecs: ECSClient;
  ecr: ECRClient;
  secrets: SecretsManagerClient;
}

/** Stores, registry and queue that every role reads from the environment. */
export interface DataServices {
  objects: S3ObjectStore;
  results: ResultStore;
  statuses: StatusStore;
  history: HistoryStore;
  registry: Registry;
  /** Registry credentials for Trivy; undefined for ECR, where Trivy uses the task role. */
  credentials?: { username: string; password: string };
  /** True for a plain HTTP registry (Trivy gets TRIVY_INSECURE=true). */
  insecure: boolean;
  queue: SqsScanQueue;
  queueUrl: string;
}

/** Creates the SDK clients in AWS_REGION, which Lambda and ECS set. */
export function createAwsClients(env: NodeJS.ProcessEnv): AwsClients {
  const region = requireVariable(env, 'AWS_REGION');
  return {
    s3: new S3Client({ region }),
    sqs: new SQSClient({ region }),
    ecs: new ECSClient({ region }),
    ecr: new ECRClient({ region }),
    secrets: new SecretsManagerClient({ region }),
  };
}

/** Builds the S3 stores, the registry of REGISTRY_KIND and the SQS queue. */
export async function createDataServices(
  env: NodeJS.ProcessEnv,
  clients: AwsClients,
  logger: Logger,
  queueOptions: { waitSeconds?: number } = {},
): Promise<DataServices> {
  const objects = new S3ObjectStore({
    client: clients.s3,
    bucket: requireVariable(env, 'DATA_BUCKET'),
    prefix: env.DATA_PREFIX || 'data/',
  });
  const queueUrl = requireVariable(env, 'QUEUE_URL');
  const queue = new SqsScanQueue({ client: clients.sqs, queueUrl, logger, ...queueOptions });
  const { registry, credentials, insecure } = await createRegistry(env, clients);

  return {
    objects,
    results: new ResultStore(objects),
    statuses: new StatusStore(objects),
    history: new HistoryStore(objects),
    registry,
    credentials,
    insecure,
    queue,
    queueUrl,
  };
}

/** Builds the ECS launcher that starts scanner tasks with RunTask. */
export function createLauncher(
  env: NodeJS.ProcessEnv,
  clients: AwsClients,
  logger: Logger,
): EcsTaskLauncher {
  return new EcsTaskLauncher({
    client: clients.ecs,
    cluster: requireVariable(env, 'CLUSTER_ARN'),
    taskDefinition: requireVariable(env, 'TASK_DEFINITION_ARN'),
    subnets: readList(env, 'TASK_SUBNETS'),
    securityGroups: readList(env, 'TASK_SECURITY_GROUPS'),
    maxTasks: readInteger(env, 'MAX_TASKS', 1, 1, 100),
    logger,
  });
}

/** Builds the ScanService over the data services; `onQueued` starts a task where given. */
export function createScanService(
  data: DataServices,
  scanner: Scanner,
  logger: Logger,
  onQueued?: () => void,
): ScanService {
  return new ScanService({
    registry: data.registry,
    scanner,
    results: data.results,
    statuses: data.statuses,
    history: data.history,
    queue: data.queue,
    credentials: data.credentials,
    insecure: data.insecure,
    logger,
    onQueued,
  });
}

/**
 * Launches started after a scan was queued. A Lambda handler awaits them before it returns,
 * because Lambda freezes the process as soon as the handler's promise settles.
 */
export class PendingLaunches {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly launcher: ScanLauncher,
    private readonly logger: Logger,
  ) {}

  /** Starts `ensureRunning`; a failure is logged, and the scheduled check retries later. */
  start(): void {
    const launch = this.launcher.ensureRunning().catch((error: unknown) => {
      this.logger.error({ err: error }, 'scanner task not started; the scheduled check retries');
    });
    this.pending.add(launch);
    void launch.finally(() => this.pending.delete(launch));
  }

  /** Waits for every launch started so far. */
  async settle(): Promise<void> {
    await Promise.all(this.pending);
  }
}

/** Dependencies of the API function, before sign-in and logging are added. */
export interface ApiRuntime {
  dependencies: Omit<ApiDependencies, 'auth' | 'logger' | 'runtimeConfig'>;
  launches: PendingLaunches;
  userPool: { userPoolId: string; clientId: string };
}

/** Wires the API function: S3 stores, SQS queue, ECS launcher on queue, registry, user pool. */
export async function createApiRuntime(
  env: NodeJS.ProcessEnv,
  clients: AwsClients,
  logger: Logger,
): Promise<ApiRuntime> {
  const userPool = {
    userPoolId: requireVariable(env, 'USER_POOL_ID'),
    clientId: requireVariable(env, 'USER_POOL_CLIENT_ID'),
  };
  const data = await createDataServices(env, clients, logger);
  const launches = new PendingLaunches(createLauncher(env, clients, logger), logger);
  const healthErrors = new HealthErrors();
  const registry = recordRegistryErrors(data.registry, healthErrors);
  const { objects, results } = data;
  const scanner = createApiScanner({ scannerUrl: readScannerUrl(env), objects, results });

  const scans = createScanService({ ...data, registry }, scanner, logger, () => launches.start());
  const { statuses, history } = data;
  return {
    dependencies: { registry, scanner, scans, results, statuses, history, healthErrors },
    launches,
    userPool,
  };
}

/** Dependencies of the ECR push function. */
export interface EcrPushRuntime {
  scans: ScanService;
  launches: PendingLaunches;
  /** SCAN_ON_PUSH_PATTERNS: repository globs whose pushes are scanned. */
  patterns: string[];
  ecr: AwsClients['ecr'];
  registryId?: string;
}

/** Wires the ECR push function: the API's services without sign-in, and the push patterns. */
export async function createEcrPushRuntime(
  env: NodeJS.ProcessEnv,
  clients: AwsClients,
  logger: Logger,
): Promise<EcrPushRuntime> {
  const data = await createDataServices(env, clients, logger);
  const launches = new PendingLaunches(createLauncher(env, clients, logger), logger);
  const scanner = createApiScanner({ ...data, scannerUrl: readScannerUrl(env) });
  const scans = createScanService(data, scanner, logger, () => launches.start());
  return {
    scans,
    launches,
    patterns: env.SCAN_ON_PUSH_PATTERNS?.trim() ? readList(env, 'SCAN_ON_PUSH_PATTERNS') : ['*'],
    ecr: clients.ecr,
    registryId: env.ECR_REGISTRY_ID?.trim() || undefined,
  };
}

/** Dependencies of the scheduled check. */
export interface ReconcileRuntime {
  scans: ScanService;
  statuses: StatusStore;
  launcher: ScanLauncher;
  sqs: AwsClients['sqs'];
  queueUrl: string;
  dlqUrl: string;
}

/** Wires the scheduled check: the queue and its dead-letter queue, the launcher, the stores. */
export async function createReconcileRuntime(
  env: NodeJS.ProcessEnv,
  clients: AwsClients,
  logger: Logger,
): Promise<ReconcileRuntime> {
  const dlqUrl = requireVariable(env, 'DLQ_URL');
  const data = await createDataServices(env, clients, logger);
  const scanner = createApiScanner({ ...data, scannerUrl: readScannerUrl(env) });
  return {
    scans: createScanService(data, scanner, logger),
    statuses: data.statuses,
    launcher: createLauncher(env, clients, logger),
    sqs: clients.sqs,
    queueUrl: data.queueUrl,
    dlqUrl,
  };
}

/** The scanner task's worker and scanner. */
export interface TaskRuntime {
  worker: ScanWorker;
  scanner: Scanner;
}

/** SQS long poll of the scanner task: the longest wait SQS allows, in seconds. */
const RECEIVE_WAIT_SECONDS = 20;

/**
 * Wires the scanner task: SQS with long polling, the S3 stores, and Trivy in builtin mode
 * (locking the EFS cache) or remote mode (token from TRIVY_SERVER_TOKEN_SECRET_ARN). The
 * worker calls `onIdle` after IDLE_EXIT_SECONDS with no message and no scan running.
 */
export async function createTaskRuntime(
  env: NodeJS.ProcessEnv,
  clients: AwsClients,
  logger: Logger,
  onIdle: () => void,
): Promise<TaskRuntime> {
  const scannerUrl = readScannerUrl(env);
  const cacheDir = requireVariable(env, 'TRIVY_CACHE_DIR');
  const idleTimeoutMs = readInteger(env, 'IDLE_EXIT_SECONDS', 120, 1, 86_400) * 1000;
  const data = await createDataServices(env, clients, logger, {
    waitSeconds: RECEIVE_WAIT_SECONDS,
  });
  const tokenArn = env.TRIVY_SERVER_TOKEN_SECRET_ARN?.trim();
  const serverToken =
    scannerUrl !== 'builtin' && tokenArn
      ? await readSecretString(clients, tokenArn, 'TRIVY_SERVER_TOKEN_SECRET_ARN')
      : undefined;

  const scanner = createScanner({
    scannerUrl,
    trivyPath: env.TRIVY_PATH?.trim() || undefined,
    cacheDir,
    serverToken: serverToken?.trim(),
    timeoutMs: readScanTimeout(env),
    concurrency: readInteger(env, 'SCAN_CONCURRENCY', 2, 1, 64),
    lockStaleMs: readDuration(env, 'SCAN_LOCK_STALE', 30_000),
    logger,
  });
  const worker = new ScanWorker({
    queue: data.queue,
    service: createScanService(data, scanner, logger),
    statuses: data.statuses,
    concurrency: scanner.concurrency,
    // SQS keeps a message until it is deleted and delivers it again after the visibility
    // timeout, so no scan loses its message and statuses need no requeue at start.
    requeueOrphans: false,
    idleTimeoutMs,
    onIdle,
    logger,
  });
  return { worker, scanner };
}
