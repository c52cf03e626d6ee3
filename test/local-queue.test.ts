import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LocalScanQueue } from '../core/queue/local';

let directory: string;

beforeEach(async () => {
  directory = await mkdtemp(join(tmpdir(), 'berth-queue-'));
});

afterEach(async () => {
  await rm(directory, { recursive: true, force: true });
});

const message = (scanId: string) => ({
  scanId,
  repository: 'web',
  tag: 'latest',
  queuedAt: '2026-12-04T00:00:00.000Z',
});

describe('local scan queue', () => {
  it('delivers messages oldest first', async () => {
    const queue = new LocalScanQueue(directory);
    await queue.recover();
    await queue.send(message('first'));
    await new Promise((resolve) => setTimeout(resolve, 5));
    await queue.send(message('second'));

    const received = await queue.receive(10);

    expect(received.map((item) => item.message?.scanId)).toEqual(['first', 'second']);
  });

  it('hides a received message from other receivers', async () => {
    const queue = new LocalScanQueue(directory);
    await queue.send(message('only'));

    const [first, second] = await Promise.all([queue.receive(1), queue.receive(1)]);

    expect(first.length + second.length).toBe(1);
  });

  it('returns messages in flight after a restart', async () => {
    const before = new LocalScanQueue(directory);
    await before.send(message('interrupted'));
    await before.receive(1);

    const after = new LocalScanQueue(directory);
    const recovered = await after.recover();
    const received = await after.receive(1);

    expect(recovered).toBe(1);
    expect(received[0]?.message?.scanId).toBe('interrupted');
  });

  it('deleted message is gone after a restart', async () => {
    const queue = new LocalScanQueue(directory);
    await queue.send(message('done'));
    const [received] = await queue.receive(1);
    await queue.delete(received?.receipt ?? '');

    const after = new LocalScanQueue(directory);
    await after.recover();

    expect(await after.receive(1)).toEqual([]);
    expect(await after.pendingScanIds()).toEqual(new Set());
  });

  it('rejects a malformed message with its reason', async () => {
    const queue = new LocalScanQueue(directory);
    await queue.recover();
    await writeFile(
      join(directory, 'pending', '000000000000001-bad.json'),
      '{"scanId":"bad","repository":"../x"}',
    );

    const [received] = await queue.receive(1);
    expect(received?.message).toBeUndefined();
    expect(received?.error).toContain('repository');
    await queue.reject(received?.receipt ?? '', received?.error ?? '');

    const dead = await readdir(join(directory, 'dead'));
    expect(dead).toContain('000000000000001-bad.json');
    const reason = await readFile(
      join(directory, 'dead', '000000000000001-bad.json.reason'),
      'utf8',
    );
    expect(reason).toContain('not a valid repository name');
  });

  it('lists the scan ids waiting and in flight', async () => {
    const queue = new LocalScanQueue(directory);
    await queue.send(message('waiting'));
    await queue.send(message('taken'));
    await queue.receive(1);

    expect(await queue.pendingScanIds()).toEqual(new Set(['waiting', 'taken']));
  });
});
