import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import bcrypt from 'bcryptjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiError, RuntimeConfig, User } from '../core/api/schemas';
import { readConfig } from '../core/config';
import { parseUsers } from '../functions/local/users';
import { testConfig, testRuntime } from './support/berth';
import { startRegistry, type TestRegistry } from './support/registry';
import { pushRecorded } from './support/stack';

const ROOT = resolve(import.meta.dirname, '..');
/** Low bcrypt cost keeps the tests fast; the users script writes cost 10. */
const TEST_COST = 4;

let registry: TestRegistry;
let directory: string;
let usersFile: string;

beforeAll(async () => {
  registry = await startRegistry();
  await pushRecorded(registry, 'alpine-310.json', 'library/alpine', '3.10');
  directory = await mkdtemp(join(tmpdir(), 'berth-auth-'));
  usersFile = join(directory, 'users');
  const lines = [
    '# Berth users',
    `ada:${bcrypt.hashSync('ada-password', TEST_COST)}:admin`,
    '',
    `vic:${bcrypt.hashSync('vic-password', TEST_COST)}:viewer`,
  ];
  await writeFile(usersFile, `${lines.join('\n')}\n`);
});

afterAll(async () => {
  await registry?.stop();
  if (directory) await rm(directory, { recursive: true, force: true });
});

function basic(name: string, password: string): Record<string, string> {
  return { Authorization: `Basic ${Buffer.from(`${name}:${password}`).toString('base64')}` };
}

async function localApp(env: Record<string, string>) {
  const config = await testConfig({ REGISTRY_URL: registry.url, ...env });
  const runtime = await testRuntime(config);
  return { app: runtime.app, cleanup: config.cleanup };
}

const SCAN_PATH = '/api/repositories/library/alpine/tags/3.10/scan';

describe('local sign-in off', () => {
  it('loopback without USERS_FILE is open', async () => {
    const { app, cleanup } = await localApp({});
    try {
      const me = await app.request('/api/me');
      const config = await app.request('/config.json');

      expect(me.status).toBe(200);
      expect(((await me.json()) as User).roles).toContain('admin');
      expect((await config.json()) as RuntimeConfig).toEqual({ auth: { type: 'none' } });
    } finally {
      await cleanup();
    }
  });
});

describe('local sign-in with USERS_FILE', () => {
  let app: Awaited<ReturnType<typeof localApp>>['app'];
  let cleanup: () => Promise<void>;

  beforeAll(async () => {
    ({ app, cleanup } = await localApp({ USERS_FILE: usersFile }));
  });

  afterAll(async () => {
    await cleanup?.();
  });

  it('no credentials is 401 with a Basic challenge', async () => {
    const response = await app.request('/api/me');

    expect(response.status).toBe(401);
    expect(response.headers.get('www-authenticate')).toMatch(/^Basic realm="Berth"/);
  });

  it('wrong password is 401', async () => {
    const response = await app.request('/api/me', { headers: basic('ada', 'wrong') });

    expect(response.status).toBe(401);
  });

  it('unknown user is 401', async () => {
    const response = await app.request('/api/me', { headers: basic('eve', 'ada-password') });

    expect(response.status).toBe(401);
  });

  it('health needs no credentials', async () => {
    const response = await app.request('/api/health');

    expect(response.status).toBe(200);
  });

  it('config.json says basic', async () => {
    const response = await app.request('/config.json');

    expect((await response.json()) as RuntimeConfig).toEqual({ auth: { type: 'basic' } });
  });

  it('viewer reads a scan view', async () => {
    const me = await app.request('/api/me', { headers: basic('vic', 'vic-password') });
    const view = await app.request(SCAN_PATH, { headers: basic('vic', 'vic-password') });

    expect(me.status).toBe(200);
    expect((await me.json()) as User).toEqual({ name: 'vic', roles: ['viewer'] });
    expect(view.status).toBe(200);
  });

  it('viewer POST scan is 403', async () => {
    const response = await app.request(SCAN_PATH, {
      method: 'POST',
      headers: basic('vic', 'vic-password'),
    });
    const body = (await response.json()) as ApiError;

    expect(response.status).toBe(403);
    expect(body.error.message).toContain('admin role');
  });

  it('admin POST scan is 202', async () => {
    const response = await app.request(SCAN_PATH, {
      method: 'POST',
      headers: basic('ada', 'ada-password'),
    });

    expect(response.status).toBe(202);
  });

  it('admin has both roles', async () => {
    const me = await app.request('/api/me', { headers: basic('ada', 'ada-password') });

    expect((await me.json()) as User).toEqual({ name: 'ada', roles: ['admin', 'viewer'] });
  });
});

describe('local sign-in configuration', () => {
  it('non-loopback HOST without USERS_FILE throws', () => {
    expect(() => readConfig({ HOST: '0.0.0.0' })).toThrow(/set USERS_FILE .* or set AUTH=none/);
  });

  it('non-loopback HOST with AUTH=none is open', () => {
    expect(readConfig({ HOST: '0.0.0.0', AUTH: 'none' }).auth).toBe('none');
  });

  it('USERS_FILE turns on basic', () => {
    expect(readConfig({ HOST: '0.0.0.0', USERS_FILE: usersFile }).auth).toBe('basic');
  });

  it('loopback HOST variants are open', () => {
    for (const host of ['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]']) {
      expect(readConfig({ HOST: host }).auth, host).toBe('none');
    }
  });

  it('AUTH=none with USERS_FILE throws', () => {
    expect(() => readConfig({ AUTH: 'none', USERS_FILE: usersFile })).toThrow(/both set/);
  });

  it('non-loopback start exits with the message', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'functions/local/main.ts'], {
      cwd: ROOT,
      env: { ...process.env, HOST: '0.0.0.0', PORT: '0', USERS_FILE: '', AUTH: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    const code = await new Promise<number | null>((done) => child.once('exit', done));

    expect(code).toBe(1);
    expect(output).toContain('set USERS_FILE');
    expect(output).toContain('AUTH=none');
  });
});

describe('users file', () => {
  it('comments and roles parse', () => {
    const hash = bcrypt.hashSync('x', TEST_COST);
    const users = parseUsers(`# team\n\nana:${hash}:viewer,admin\n`);

    expect(users).toEqual([{ name: 'ana', passwordHash: hash, roles: ['viewer', 'admin'] }]);
  });

  it('unknown role names the line', () => {
    const hash = bcrypt.hashSync('x', TEST_COST);

    expect(() => parseUsers(`# team\nana:${hash}:owner\n`, 'users')).toThrow(
      'Invalid users line 2: unknown role "owner"; use admin or viewer.',
    );
  });

  it('plain password is rejected', () => {
    expect(() => parseUsers('ana:secret:admin\n', 'users')).toThrow(/not a bcrypt hash/);
  });

  it('duplicate user is rejected', () => {
    const hash = bcrypt.hashSync('x', TEST_COST);

    expect(() => parseUsers(`ana:${hash}:admin\nana:${hash}:viewer\n`, 'users')).toThrow(
      /listed twice/,
    );
  });

  it('users script appends a verified line', async () => {
    const file = join(directory, 'script-users');
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'scripts/users.ts', 'add', 'zoe', 'admin', '--file', file],
      { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    child.stdin.end('zoe-password-1\n');
    const code = await new Promise<number | null>((done) => child.once('exit', done));

    const users = parseUsers(await readFile(file, 'utf8'), file);
    expect(code).toBe(0);
    expect(users.map((user) => user.name)).toEqual(['zoe']);
    expect(users[0]?.roles).toEqual(['admin', 'viewer']);
    expect(await bcrypt.compare('zoe-password-1', users[0]?.passwordHash ?? '')).toBe(true);
  });
});
