import { type ECSClient, ListTasksCommand, RunTaskCommand } from '@aws-sdk/client-ecs';
import type { Logger } from '../log';
import type { ScanLauncher } from '../scan/launcher';
import { describeError, isThrottling } from './sdk-errors';

/** Settings of an EcsTaskLauncher: the cluster, task definition, network and task cap. */
export interface EcsTaskLauncherOptions {
  client: ECSClient;
  /** Cluster name or ARN. */
  cluster: string;
  /** Task definition family, family:revision or ARN of the scanner task. */
  taskDefinition: string;
  /** Subnets of the task's network interface, private ones since the task gets no public IP. */
  subnets: string[];
  securityGroups: string[];
  /** Scanner tasks allowed at once: 1 in builtin mode. */
  maxTasks: number;
  /** Tag that marks the tasks this launcher starts and counts. @default 'berth-scanner' */
  startedBy?: string;
  logger: Logger;
}

/** Default `startedBy` of scanner tasks. */
export const DEFAULT_STARTED_BY = 'berth-scanner';

/**
 * ScanLauncher that starts Fargate scanner tasks with RunTask, one per call, while fewer
 * than `maxTasks` run. Capacity failures and throttling are logged and skipped, because the
 * scheduled check calls `ensureRunning()` again.
 *
 * NOTE: two callers that check at the same moment can both start a task, so the cap can be
 * exceeded by one task per concurrent caller. The EFS cache lock still serializes
 * builtin-mode scans.
 */
export class EcsTaskLauncher implements ScanLauncher {
  private readonly options: EcsTaskLauncherOptions;
  private readonly startedBy: string;

  constructor(options: EcsTaskLauncherOptions) {
    if (!Number.isInteger(options.maxTasks) || options.maxTasks < 1) {
      throw new Error(`Invalid maxTasks ${options.maxTasks}: use an integer of 1 or more.`);
    }
    if (options.subnets.length === 0) {
      throw new Error('No subnets for the scanner task: set TASK_SUBNETS to one or more ids.');
    }
    this.options = options;
    this.startedBy = options.startedBy ?? DEFAULT_STARTED_BY;
  }

  /** Starts one scanner task unless `maxTasks` already run; throws only unexpected errors. */
  async ensureRunning(): Promise<void> {
    const { logger, maxTasks } = this.options;
    try {
      const running = await this.countTasks();
      if (running >= maxTasks) {
        logger.debug({ running, maxTasks }, 'scanner task not started: enough tasks run');
        return;
      }
      await this.runTask(running);
    } catch (error) {
      if (!isThrottling(error)) throw error;
      logger.warn({ err: error, reason: describeError(error) }, 'scanner task launch throttled');
    }
  }

  /**
   * Counts the tasks with this launcher's `startedBy` whose desired status is RUNNING, which
   * covers tasks still PROVISIONING or PENDING. ListTasks filters on desired status RUNNING
   * by default, so the request omits `desiredStatus`: the ECS API reference states that a request
   * that filters on `startedBy` may use no other filter.
   */
  private async countTasks(): Promise<number> {
    let count = 0;
    let nextToken: string | undefined;
    do {
      const page = await this.options.client.send(
        new ListTasksCommand({
          cluster: this.options.cluster,
          startedBy: this.startedBy,
          ...(nextToken ? { nextToken } : {}),
        }),
      );
      count += page.taskArns?.length ?? 0;
      nextToken = page.nextToken;
    } while (nextToken && count < this.options.maxTasks);
    return count;
  }

  private async runTask(running: number): Promise<void> {
    const { client, cluster, taskDefinition, subnets, securityGroups, logger } = this.options;
    const response = await client.send(
      new RunTaskCommand({
        cluster,
        taskDefinition,
        launchType: 'FARGATE',
        count: 1,
        startedBy: this.startedBy,
        networkConfiguration: {
          awsvpcConfiguration: { subnets, securityGroups, assignPublicIp: 'DISABLED' },
        },
      }),
    );

    for (const failure of response.failures ?? []) {
      const reason = [failure.reason, failure.detail].filter(Boolean).join(': ');
      logger.warn({ reason, arn: failure.arn, cluster }, 'scanner task not started');
    }
    for (const task of response.tasks ?? []) {
      logger.info({ taskArn: task.taskArn, running: running + 1 }, 'scanner task started');
    }
  }
}
