import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FsObjectStore } from '../core/store/object-store';
import { collisionFileName, plainFileName } from '../core/store/result-keys';
import { RESULT_FORMAT, ResultStore, type StoredResult } from '../core/store/results';
import { StatusStore } from '../core/store/statuses';

function result(
  repository: string,
  tag: string,
  digest = `sha256:${'a'.repeat(64)}`,
): StoredResult {
  return {
    format: RESULT_FORMAT,
    image: { registry: '127.0.0.1:5000', repository, tag, digest },
    scan: {
      id: `${repository}:${tag}`,
      scannedAt: '2026-12-04T00:00:00.000Z',
      mode: 'builtin',
      trivyVersion: '0.0.0',
      recorded: true,
    },
    summary: { CRITICAL: 0, HIGH: 0, MEDIUM: 0, LOW: 0, UNKNOWN: 0, total: 0 },
    report: { SchemaVersion: 2, ArtifactName: `${repository}:${tag}` },
  };
}

let dataDir: string;
let store: ResultStore;

beforeEach(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'berth-results-'));
  store = new ResultStore(new FsObjectStore(dataDir));
});

afterEach(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

/** Files at the top of DATA_DIR, without Berth's own `.berth` folder. */
async function resultFiles(): Promise<string[]> {
  return (await readdir(dataDir)).filter((name) => !name.startsWith('.')).sort();
}

describe('result file names', () => {
  it.each([
    ['myrepo/subrepo', 'latest', 'myrepo_subrepo_latest.json'],
    ['team/api/server', '1.0', 'team_api_server_1.0.json'],
    ['alpine', '3.10', 'alpine_3.10.json'],
  ])('%s:%s is stored as %s', async (repository, tag, fileName) => {
    expect(plainFileName({ repository, tag })).toBe(fileName);

    await store.write(result(repository, tag));

    expect(await readdir(dataDir)).toContain(fileName);
  });

  it('collision name has no plain-name shape', () => {
    const name = collisionFileName({ repository: 'a_b', tag: 'c' });
    expect(name).toMatch(/^a_b_c~[0-9a-f]{12}\.json$/);
  });
});

describe('colliding images', () => {
  const images = [
    { repository: 'a/b', tag: 'c' },
    { repository: 'a_b', tag: 'c' },
    { repository: 'a', tag: 'b_c' },
  ];

  it('keep their own results', async () => {
    for (const image of images) await store.write(result(image.repository, image.tag));

    for (const image of images) {
      const stored = await store.read(image);
      expect(stored?.image.repository).toBe(image.repository);
      expect(stored?.image.tag).toBe(image.tag);
    }
  });

  it('first image owns the plain name', async () => {
    for (const image of images) await store.write(result(image.repository, image.tag));

    const plain = JSON.parse(await readFile(join(dataDir, 'a_b_c.json'), 'utf8')) as StoredResult;
    expect(plain.image).toMatchObject(images[0] ?? {});
    const files = (await readdir(dataDir)).filter((name) => name.endsWith('.json')).sort();
    expect(files).toHaveLength(3);
  });

  it('rescan of a colliding image overwrites only its own file', async () => {
    await store.write(result('a/b', 'c', `sha256:${'1'.repeat(64)}`));
    await store.write(result('a_b', 'c', `sha256:${'2'.repeat(64)}`));
    await store.write(result('a_b', 'c', `sha256:${'3'.repeat(64)}`));

    expect((await store.read({ repository: 'a/b', tag: 'c' }))?.image.digest).toBe(
      `sha256:${'1'.repeat(64)}`,
    );
    expect((await store.read({ repository: 'a_b', tag: 'c' }))?.image.digest).toBe(
      `sha256:${'3'.repeat(64)}`,
    );
  });

  it('an unscanned colliding image shows no result', async () => {
    await store.write(result('a/b', 'c'));

    expect(await store.read({ repository: 'a_b', tag: 'c' })).toBeUndefined();
  });
});

describe('result store', () => {
  it('rescan replaces the file and leaves no temporary file', async () => {
    await store.write(result('web', 'latest', `sha256:${'1'.repeat(64)}`));
    await store.write(result('web', 'latest', `sha256:${'2'.repeat(64)}`));

    expect((await store.read({ repository: 'web', tag: 'latest' }))?.image.digest).toBe(
      `sha256:${'2'.repeat(64)}`,
    );
    expect(await resultFiles()).toEqual(['web_latest.json']);
  });

  it.each([
    ['not JSON', 'not json'],
    ['truncated JSON', '{"format":"berth.scan-result.v1","image":{"rep'],
    ['JSON of another shape', '{"hello":1}'],
  ])('damaged file (%s) is replaced by the next write', async (_case, body) => {
    const objects = new FsObjectStore(dataDir);
    await objects.put('web_latest.json', body);

    await store.write(result('web', 'latest'));

    expect(await resultFiles()).toEqual(['web_latest.json']);
    expect((await store.read({ repository: 'web', tag: 'latest' }))?.image.tag).toBe('latest');
  });

  it('file of another image is never overwritten', async () => {
    await store.write(result('a/b', 'c'));

    await store.write(result('a_b', 'c'));

    const plain = JSON.parse(await readFile(join(dataDir, 'a_b_c.json'), 'utf8')) as StoredResult;
    expect(plain.image.repository).toBe('a/b');
  });

  it('list skips statuses and foreign files', async () => {
    const statuses = new StatusStore(new FsObjectStore(dataDir));
    await statuses.write({
      id: 's1',
      repository: 'web',
      tag: 'latest',
      state: 'queued',
      queuedAt: '2026-12-04T00:00:00.000Z',
    });
    await store.write(result('web', 'latest'));
    await new FsObjectStore(dataDir).put('notes.json', '{"hello":1}');

    const listed = await store.list();

    expect(listed.map((item) => item.image.repository)).toEqual(['web']);
  });
});

describe('result summaries', () => {
  it('summary file serves the tag list', async () => {
    await store.write(result('team/app', '1'));
    await rm(join(dataDir, 'team_app_1.json'));

    const info = await store.readInfo({ repository: 'team/app', tag: '1' });

    expect(info?.scanId).toBe('team/app:1');
    expect(info?.summary.total).toBe(0);
  });

  it('result without a summary file is read whole', async () => {
    await store.write(result('team/app', '2'));
    await rm(join(dataDir, '.berth', 'results'), { recursive: true });

    const info = await store.readInfo({ repository: 'team/app', tag: '2' });

    expect(info?.scanId).toBe('team/app:2');
  });

  it('delete removes the result and its summary', async () => {
    await store.write(result('team/app', '3'));

    await store.delete({ repository: 'team/app', tag: '3' });

    expect(await store.readInfo({ repository: 'team/app', tag: '3' })).toBeUndefined();
    expect(await readdir(join(dataDir, '.berth', 'results'))).toEqual([]);
  });
});
