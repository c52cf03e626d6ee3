import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';

const STARTUP_TIMEOUT_MS = 15_000;
const STOP_TIMEOUT_MS = 5_000;

/** s3rver's default account, which it checks request signatures against. */
const S3RVER_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };

/** A running s3rver on 127.0.0.1 with one bucket, storing objects in a temporary directory. */
export interface TestS3 {
  /** `http://127.0.0.1:PORT` */
  endpoint: string;
  bucket: string;
  directory: string;
  /** Creates an S3 client for this server: path-style requests, fake credentials. */
  client(): S3Client;
  /** Stops the s3rver process and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts s3rver 3.7 in a child process. It runs outside the test process because its
 * ListObjectsV2 continuation tokens use DES, which Node 17 and later (OpenSSL 3) only
 * allow with `--openssl-legacy-provider`, a flag that cannot be turned on at run time.
 */
export async function startS3rver(options: { bucket?: string } = {}): Promise<TestS3> {
  const bucket = options.bucket ?? 'berth-test';
  const directory = await mkdtemp(join(tmpdir(), 'berth-s3rver-'));
  const child = spawn(
    process.execPath,
    [
      '--openssl-legacy-provider',
      s3rverBinary(),
      ...[
        '--directory',
        directory,
        '--address',
        '127.0.0.1',
        '--port',
        '0',
        '--silent',
        '--configure-bucket',
        bucket,
      ],
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );

  const stop = async () => {
    await stopProcess(child);
    await rm(directory, { recursive: true, force: true });
  };
  let endpoint: string;
  try {
    endpoint = await waitForAddress(child);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, bucket, directory, client: () => createS3Client(endpoint), stop };
}

/** Creates an S3 client that sends every request to `endpoint` and never to AWS. */
export function createS3Client(endpoint: string): S3Client {
  return new S3Client({
    region: 'us-east-1',
    endpoint,
    forcePathStyle: true,
    credentials: S3RVER_CREDENTIALS,
  });
}

function s3rverBinary(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('s3rver/package.json')), 'bin', 's3rver.js');
}

/** Reads `S3rver listening on 127.0.0.1:PORT` from the process output. */
function waitForAddress(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => fail('no address printed'), STARTUP_TIMEOUT_MS);
    const fail = (reason: string) => {
      clearTimeout(timer);
      reject(new Error(`s3rver did not start (${reason}): ${output.trim() || '(no output)'}`));
    };

    const read = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = output.match(/listening on ([\d.]+):(\d+)/);
      if (!match) return;
      clearTimeout(timer);
      resolve(`http://${match[1]}:${match[2]}`);
    };
    child.stdout?.on('data', read);
    child.stderr?.on('data', read);
    child.once('exit', (code, signal) => fail(`exited with ${signal ?? code}`));
  });
}

/** Sends SIGTERM to the s3rver process, then SIGKILL if it has not exited in time. */
async function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;

  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}
