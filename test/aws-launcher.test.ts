import {
  ClientException,
  ECSClient,
  ECSServiceException,
  ListTasksCommand,
  RunTaskCommand,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import pino from 'pino';
import { beforeEach, describe, expect, test } from 'vitest';
import { EcsTaskLauncher, type EcsTaskLauncherOptions } from '../core/aws/ecs-launcher';
import type { Logger } from '../core/log';

process.env.AWS_EC2_METADATA_DISABLED = 'true';

const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/berth';
const TASK_DEFINITION = 'arn:aws:ecs:us-east-1:123456789012:task-definition/berth-scanner:3';

const client = new ECSClient({
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret-test' },
});
const ecs = mockClient(client);

/** The RunTask request the launcher must send, exactly. */
const RUN_TASK_INPUT = {
  cluster: CLUSTER,
  taskDefinition: TASK_DEFINITION,
  launchType: 'FARGATE' as const,
  count: 1,
  startedBy: 'berth-scanner',
  networkConfiguration: {
    awsvpcConfiguration: {
      subnets: ['subnet-a', 'subnet-b'],
      securityGroups: ['sg-scanner'],
      assignPublicIp: 'DISABLED' as const,
    },
  },
};

/** Creates a pino logger that keeps its records in memory. */
function memoryLogger(): { logger: Logger; records: Record<string, unknown>[] } {
  const records: Record<string, unknown>[] = [];
  const stream = { write: (line: string) => records.push(JSON.parse(line)) };
  return { logger: pino({ level: 'info' }, stream), records };
}

function launcher(overrides: Partial<EcsTaskLauncherOptions> = {}): {
  launcher: EcsTaskLauncher;
  records: Record<string, unknown>[];
} {
  const { logger, records } = memoryLogger();
  const options: EcsTaskLauncherOptions = {
    client,
    cluster: CLUSTER,
    taskDefinition: TASK_DEFINITION,
    subnets: ['subnet-a', 'subnet-b'],
    securityGroups: ['sg-scanner'],
    maxTasks: 1,
    logger,
    ...overrides,
  };
  return { launcher: new EcsTaskLauncher(options), records };
}

function throttlingError(): ECSServiceException {
  return new ECSServiceException({
    name: 'ThrottlingException',
    message: 'Rate exceeded',
    $fault: 'client',
    $metadata: { httpStatusCode: 400 },
  });
}

beforeEach(() => {
  ecs.reset();
});

describe('EcsTaskLauncher', () => {
  test('starts a task when none runs', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(RunTaskCommand, RUN_TASK_INPUT).resolves({ tasks: [{ taskArn: 'task-1' }] });

    const { launcher: subject, records } = launcher();
    await subject.ensureRunning();

    expect(ecs.commandCalls(RunTaskCommand, RUN_TASK_INPUT, true)).toHaveLength(1);
    expect(records.at(-1)?.msg).toBe('scanner task started');
    expect(records.at(-1)?.taskArn).toBe('task-1');
  });

  test('lists tasks by cluster and startedBy', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(RunTaskCommand).resolves({ tasks: [] });

    await launcher().launcher.ensureRunning();

    expect(ecs.commandCalls(ListTasksCommand)[0]?.args[0].input).toEqual({
      cluster: CLUSTER,
      startedBy: 'berth-scanner',
    });
  });

  test('starts nothing at the cap', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: ['task-1'] });

    await launcher().launcher.ensureRunning();

    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  test('starts one more below a cap of 3', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: ['task-1', 'task-2'] });
    ecs.on(RunTaskCommand).resolves({ tasks: [{ taskArn: 'task-3' }] });

    await launcher({ maxTasks: 3 }).launcher.ensureRunning();

    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(1);
  });

  test('counts tasks across ListTasks pages', async () => {
    ecs
      .on(ListTasksCommand)
      .resolvesOnce({ taskArns: ['task-1'], nextToken: 'page-2' })
      .resolvesOnce({ taskArns: ['task-2'] });

    await launcher({ maxTasks: 2 }).launcher.ensureRunning();

    expect(ecs.commandCalls(ListTasksCommand)[1]?.args[0].input.nextToken).toBe('page-2');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  test('custom startedBy is used twice', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(RunTaskCommand).resolves({ tasks: [] });

    await launcher({ startedBy: 'berth-test' }).launcher.ensureRunning();

    expect(ecs.commandCalls(ListTasksCommand)[0]?.args[0].input.startedBy).toBe('berth-test');
    expect(ecs.commandCalls(RunTaskCommand)[0]?.args[0].input.startedBy).toBe('berth-test');
  });
});

describe('EcsTaskLauncher failures', () => {
  test('capacity failure is logged', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(RunTaskCommand).resolves({
      tasks: [],
      failures: [
        { arn: 'arn:aws:ecs:us-east-1:123456789012:cluster/berth', reason: 'RESOURCE:MEMORY' },
      ],
    });

    const { launcher: subject, records } = launcher();
    await expect(subject.ensureRunning()).resolves.toBeUndefined();

    expect(records.at(-1)?.msg).toBe('scanner task not started');
    expect(records.at(-1)?.reason).toBe('RESOURCE:MEMORY');
  });

  test('failure detail joins the reason', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(RunTaskCommand).resolves({
      failures: [{ reason: 'Capacity is unavailable at this time', detail: 'us-east-1a' }],
    });

    const { launcher: subject, records } = launcher();
    await subject.ensureRunning();

    expect(records.at(-1)?.reason).toBe('Capacity is unavailable at this time: us-east-1a');
  });

  test('throttled RunTask is logged', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs.on(RunTaskCommand).rejects(throttlingError());

    const { launcher: subject, records } = launcher();
    await expect(subject.ensureRunning()).resolves.toBeUndefined();

    expect(records.at(-1)?.msg).toBe('scanner task launch throttled');
    expect(records.at(-1)?.reason).toBe('ThrottlingException: Rate exceeded');
  });

  test('throttled ListTasks is logged', async () => {
    ecs.on(ListTasksCommand).rejects(throttlingError());

    const { launcher: subject, records } = launcher();
    await expect(subject.ensureRunning()).resolves.toBeUndefined();

    expect(records.at(-1)?.msg).toBe('scanner task launch throttled');
    expect(ecs.commandCalls(RunTaskCommand)).toHaveLength(0);
  });

  test('client error is thrown', async () => {
    ecs.on(ListTasksCommand).resolves({ taskArns: [] });
    ecs
      .on(RunTaskCommand)
      .rejects(new ClientException({ message: 'Task definition is inactive', $metadata: {} }));

    await expect(launcher().launcher.ensureRunning()).rejects.toThrow(
      'Task definition is inactive',
    );
  });

  test.each([
    [{ maxTasks: 0 }, 'Invalid maxTasks 0'],
    [{ subnets: [] }, 'No subnets for the scanner task'],
  ])('options %o are rejected', (overrides, message) => {
    expect(() => launcher(overrides)).toThrow(message);
  });
});
