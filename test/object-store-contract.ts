import { describe, expect, test } from 'vitest';
import type { ObjectStore } from '../core/store/object-store';
import { RESULT_FORMAT, ResultStore, type StoredResult } from '../core/store/results';
import { StatusStore } from '../core/store/statuses';

/** Keys written by the listing cases; more than two pages when the store pages by 10. */
const MANY_KEYS = 25;

/** Builds a stored result of `repository:tag` with a digest made of one repeated hex digit. */
function result(repository: string, tag: string, digit = 'a'): StoredResult {
  return {
    format: RESULT_FORMAT,
    image: { registry: '127.0.0.1:5000', repository, tag, digest: `sha256:${digit.repeat(64)}` },
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

/**
 * Registers the ObjectStore contract cases for one adapter. `createStore` returns an empty
 * store for each case; the caller removes what the stores wrote.
 */
export function objectStoreContract(name: string, createStore: () => Promise<ObjectStore>): void {
  describe(`${name} contract`, () => {
    registerReadWriteCases(createStore);
    registerConditionalCases(createStore);
    registerListCases(createStore);
    registerDocumentCases(createStore);
  });
}

function registerReadWriteCases(createStore: () => Promise<ObjectStore>): void {
  test('get of missing key is undefined', async () => {
    const store = await createStore();

    expect(await store.get('missing.json')).toBeUndefined();
  });

  test('put then get returns the body', async () => {
    const store = await createStore();

    await store.put('web_latest.json', '{"a":1}\n');

    expect(await store.get('web_latest.json')).toBe('{"a":1}\n');
  });

  test('put replaces the body', async () => {
    const store = await createStore();

    await store.put('web_latest.json', 'first');
    await store.put('web_latest.json', 'second');

    expect(await store.get('web_latest.json')).toBe('second');
  });

  test('keys keep nested and special characters', async () => {
    const store = await createStore();
    const keys = ['.berth/scans/a_b_c.json', 'a_b_c~0123456789ab.json', 'team_api_1.0-rc.1.json'];

    for (const key of keys) await store.put(key, key);

    for (const key of keys) expect(await store.get(key)).toBe(key);
  });

  test('body keeps non-ASCII text', async () => {
    const store = await createStore();

    await store.put('text.json', '"Ünïcödé ✓"');

    expect(await store.get('text.json')).toBe('"Ünïcödé ✓"');
  });

  test('delete removes the object', async () => {
    const store = await createStore();
    await store.put('web_latest.json', 'body');

    await store.delete('web_latest.json');

    expect(await store.get('web_latest.json')).toBeUndefined();
    expect(await store.list('')).toEqual([]);
  });

  test('delete of missing key succeeds', async () => {
    const store = await createStore();

    await expect(store.delete('missing.json')).resolves.toBeUndefined();
  });
}

function registerConditionalCases(createStore: () => Promise<ObjectStore>): void {
  test('putIfAbsent creates a missing key', async () => {
    const store = await createStore();

    const created = await store.putIfAbsent('web_latest.json', 'first');

    expect(created).toBe(true);
    expect(await store.get('web_latest.json')).toBe('first');
  });

  test('putIfAbsent keeps an existing body', async () => {
    const store = await createStore();
    await store.put('web_latest.json', 'first');

    const created = await store.putIfAbsent('web_latest.json', 'second');

    expect(created).toBe(false);
    expect(await store.get('web_latest.json')).toBe('first');
  });

  test('putIfAbsent after delete creates again', async () => {
    const store = await createStore();
    await store.put('web_latest.json', 'first');
    await store.delete('web_latest.json');

    expect(await store.putIfAbsent('web_latest.json', 'second')).toBe(true);
    expect(await store.get('web_latest.json')).toBe('second');
  });
}

function registerListCases(createStore: () => Promise<ObjectStore>): void {
  test('list of empty store is empty', async () => {
    const store = await createStore();

    expect(await store.list('')).toEqual([]);
    expect(await store.list('.berth/scans/')).toEqual([]);
  });

  test('list filters by prefix', async () => {
    const store = await createStore();
    const keys = ['a/one.json', 'a/b/two.json', 'ab.json', 'b/three.json'];
    for (const key of keys) await store.put(key, key);

    expect((await store.list('')).sort()).toEqual([...keys].sort());
    expect((await store.list('a/')).sort()).toEqual(['a/b/two.json', 'a/one.json']);
    expect((await store.list('a')).sort()).toEqual(['a/b/two.json', 'a/one.json', 'ab.json']);
    expect(await store.list('c/')).toEqual([]);
  });

  test('list returns keys of every page', async () => {
    const store = await createStore();
    const keys = Array.from({ length: MANY_KEYS }, (_, index) => `repo_${index}.json`);
    await Promise.all(keys.map((key) => store.put(key, key)));

    const listed = await store.list('');

    expect(listed).toHaveLength(MANY_KEYS);
    expect(listed.sort()).toEqual([...keys].sort());
  });
}

function registerDocumentCases(createStore: () => Promise<ObjectStore>): void {
  const colliding = [
    { repository: 'a/b', tag: 'c' },
    { repository: 'a_b', tag: 'c' },
    { repository: 'a', tag: 'b_c' },
  ];

  test('colliding images keep their own results', async () => {
    const results = new ResultStore(await createStore());

    for (const image of colliding) await results.write(result(image.repository, image.tag));

    for (const image of colliding) {
      const stored = await results.read(image);
      expect(stored?.image.repository).toBe(image.repository);
      expect(stored?.image.tag).toBe(image.tag);
    }
    expect(await results.list()).toHaveLength(3);
  });

  test('rescan overwrites only its own result', async () => {
    const results = new ResultStore(await createStore());

    await results.write(result('a/b', 'c', '1'));
    await results.write(result('a_b', 'c', '2'));
    await results.write(result('a_b', 'c', '3'));

    const first = await results.read({ repository: 'a/b', tag: 'c' });
    const second = await results.read({ repository: 'a_b', tag: 'c' });
    expect(first?.image.digest).toBe(`sha256:${'1'.repeat(64)}`);
    expect(second?.image.digest).toBe(`sha256:${'3'.repeat(64)}`);
  });

  test('first image owns the plain key', async () => {
    const objects = await createStore();
    const results = new ResultStore(objects);

    for (const image of colliding) await results.write(result(image.repository, image.tag));

    const plain = JSON.parse((await objects.get('a_b_c.json')) ?? '{}') as StoredResult;
    expect(plain.image?.repository).toBe('a/b');
    expect(plain.image?.tag).toBe('c');
  });

  test('statuses stay apart from results', async () => {
    const objects = await createStore();
    const statuses = new StatusStore(objects);
    const results = new ResultStore(objects);
    const queuedAt = '2026-12-04T00:00:00.000Z';

    await statuses.write({ id: 's1', repository: 'web', tag: 'latest', state: 'queued', queuedAt });
    await statuses.write({ id: 's2', repository: 'a/b', tag: 'c', state: 'running', queuedAt });
    await results.write(result('web', 'latest'));

    expect((await statuses.read({ repository: 'web', tag: 'latest' }))?.id).toBe('s1');
    expect((await statuses.list()).map((status) => status.id).sort()).toEqual(['s1', 's2']);
    expect((await results.list()).map((stored) => stored.image.repository)).toEqual(['web']);
  });

  test('status update replaces the status', async () => {
    const statuses = new StatusStore(await createStore());
    const queued = {
      id: 's1',
      repository: 'web',
      tag: 'latest',
      state: 'queued' as const,
      queuedAt: '2026-12-04T00:00:00.000Z',
    };

    await statuses.write(queued);
    await statuses.write({ ...queued, state: 'completed', finishedAt: '2026-12-04T00:01:00.000Z' });

    const stored = await statuses.read({ repository: 'web', tag: 'latest' });
    expect(stored?.state).toBe('completed');
    expect(stored?.finishedAt).toBe('2026-12-04T00:01:00.000Z');
  });
}
