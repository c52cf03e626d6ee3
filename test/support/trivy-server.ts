import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** One request the fake Trivy server received. */
export interface TrivyServerRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
}

/** A fake Trivy server that serves `GET /healthz` like `trivy server`. */
export interface FakeTrivyServer {
  /** Base URL such as `http://127.0.0.1:41234`. */
  url: string;
  requests: TrivyServerRequest[];
  close(): Promise<void>;
}

/** Starts a fake Trivy server on 127.0.0.1; `healthStatus` sets the `/healthz` status (200). */
export async function startTrivyServer(options: { healthStatus?: number } = {}) {
  const requests: TrivyServerRequest[] = [];
  const server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push({ method: request.method ?? 'GET', path, headers: request.headers });

    if (request.method === 'GET' && path === '/healthz') {
      response.writeHead(options.healthStatus ?? 200, { 'Content-Type': 'text/plain' });
      response.end('ok');
      return;
    }
    response.writeHead(404, { 'Content-Type': 'text/plain' });
    response.end('404 page not found\n');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  const close = () =>
    new Promise<void>((resolve, reject) => {
      server.closeAllConnections();
      server.close((error) => (error ? reject(error) : resolve()));
    });
  const fake: FakeTrivyServer = { url: `http://127.0.0.1:${port}`, requests, close };
  return fake;
}

/** The Trivy stand-in executable, which writes recorded reports. */
export const STAND_IN_PATH = fileURLToPath(
  new URL('../../scripts/trivy-stand-in/trivy', import.meta.url),
);

/** One line of the stand-in's `TRIVY_STAND_IN_LOG`. */
export interface StandInRecord {
  event: 'start' | 'end';
  pid: number;
  /** Wall-clock milliseconds with a fraction. */
  time: number;
  argv: string[];
  cacheDir: string;
  server?: string;
  usernameSet: boolean;
  passwordSet: boolean;
  tokenSet: boolean;
  username?: string;
  token?: string;
  insecure: boolean;
  exitCode?: number;
}

/** One stand-in process: its start record and, once it exited, its end time and code. */
export interface StandInRun {
  pid: number;
  start: number;
  end?: number;
  exitCode?: number;
  record: StandInRecord;
}

/** Reads the stand-in log and pairs each start with the end of the same process. */
export async function readStandInRuns(logPath: string): Promise<StandInRun[]> {
  const text = await readFile(logPath, 'utf8').catch(() => '');
  const records = text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as StandInRecord);

  const runs = new Map<number, StandInRun>();
  for (const record of records) {
    if (record.event === 'start')
      runs.set(record.pid, { pid: record.pid, start: record.time, record });
    const run = runs.get(record.pid);
    if (record.event === 'end' && run) {
      run.end = record.time;
      run.exitCode = record.exitCode;
    }
  }
  return [...runs.values()];
}

/** Returns the largest number of stand-in runs alive at one time; a run without end never ends. */
export function maxConcurrentRuns(runs: StandInRun[]): number {
  // At equal times an end sorts before a start, so back-to-back runs do not count as overlap.
  const events = runs.flatMap((run) => [
    { time: run.start, delta: 1 },
    { time: run.end ?? Number.POSITIVE_INFINITY, delta: -1 },
  ]);
  events.sort((a, b) => a.time - b.time || a.delta - b.delta);

  let alive = 0;
  let max = 0;
  for (const event of events) {
    alive += event.delta;
    max = Math.max(max, alive);
  }
  return max;
}

/** Tells whether a process runs; a zombie waiting to be reaped counts as gone (Linux `/proc`). */
export function isProcessRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const state = stat.charAt(stat.lastIndexOf(')') + 2);
    return state !== 'Z' && state !== 'X';
  } catch {
    return false;
  }
}
