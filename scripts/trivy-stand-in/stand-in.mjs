// Stand-in for `trivy image` that writes recorded Trivy reports instead of scanning, for tests
// and for the demo where Trivy is not installed. It parses Trivy's flags, reads registry
// credentials from TRIVY_USERNAME, TRIVY_PASSWORD and TRIVY_INSECURE, locks the scan cache the
// way Trivy's BoltDB cache does, and picks the recorded report whose
// Metadata.ImageConfig.rootfs.diff_ids equal the image config's rootfs.diff_ids.
//
// Environment variables for tests:
//   TRIVY_STAND_IN_FIXTURES  folder of recorded reports, walked recursively (falls back to
//                            BERTH_FIXTURES_DIR)
//                            (default: ../shared/fixtures/trivy from the repository root)
//   TRIVY_STAND_IN_REPORT    path of the report to write, skipping the registry
//   TRIVY_STAND_IN_DELAY_MS  milliseconds to sleep while holding the cache lock
//   TRIVY_STAND_IN_FAIL      message to print on stderr before exiting with 1
//   TRIVY_STAND_IN_LOG       file that gets one JSON line per start and per end
//   TRIVY_STAND_IN_OUTPUT    `garbage` writes output that is not JSON

import {
  appendFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const VERSION = '0.0.0-recorded';
const REPOSITORY_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const FIXTURES_DIR =
  process.env.TRIVY_STAND_IN_FIXTURES ||
  process.env.BERTH_FIXTURES_DIR ||
  resolve(REPOSITORY_ROOT, '..', 'shared/fixtures/trivy');
// Trivy's BoltDB cache gives up on a locked cache after 5 s.
const CACHE_LOCK_TIMEOUT_MS = 5000;
const DEFAULT_TIMEOUT = '5m0s';
const MANIFEST_TYPES = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

const IMAGE_FLAGS = {
  format: { type: 'string', short: 'f', default: 'table' },
  output: { type: 'string', short: 'o' },
  scanners: { type: 'string' },
  timeout: { type: 'string', default: DEFAULT_TIMEOUT },
  'cache-dir': { type: 'string' },
  server: { type: 'string' },
  token: { type: 'string' },
  'token-header': { type: 'string' },
  severity: { type: 'string', short: 's' },
  quiet: { type: 'boolean', short: 'q' },
  insecure: { type: 'boolean' },
  'no-progress': { type: 'boolean' },
  'skip-db-update': { type: 'boolean' },
  'ignore-unfixed': { type: 'boolean' },
  'list-all-pkgs': { type: 'boolean' },
};

let heldCacheLock;
let insecure = process.env.TRIVY_INSECURE === 'true';

function logEvent(event, fields) {
  const logPath = process.env.TRIVY_STAND_IN_LOG;
  if (!logPath) return;
  const record = {
    event,
    pid: process.pid,
    time: performance.timeOrigin + performance.now(),
    argv: process.argv.slice(2),
    usernameSet: process.env.TRIVY_USERNAME !== undefined,
    passwordSet: process.env.TRIVY_PASSWORD !== undefined,
    tokenSet: process.env.TRIVY_TOKEN !== undefined,
    username: process.env.TRIVY_USERNAME,
    token: process.env.TRIVY_TOKEN,
    insecure: process.env.TRIVY_INSECURE === 'true',
    ...fields,
  };
  appendFileSync(logPath, `${JSON.stringify(record)}\n`);
}

/** Prints a fatal error the way Trivy's logger does and exits with 1. */
function fatal(message) {
  const time = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  process.stderr.write(`${time}\tFATAL\tFatal error\t${message}\n`);
  process.exit(1);
}

function parseImageFlags(args) {
  try {
    return parseArgs({ args, options: IMAGE_FLAGS, allowPositionals: true, strict: true });
  } catch (error) {
    const flag = /'([^']+)'/.exec(error.message)?.[1] ?? error.message;
    process.stderr.write(`Error: unknown flag: ${flag}\n`);
    process.exit(1);
  }
}

/** Parses a Go duration such as `300s`, `5m0s` or `1h`. */
function parseDurationMs(text) {
  const units = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) {
    fatal(`invalid argument "${text}" for "--timeout" flag: time: invalid duration "${text}"`);
  }
  return parts.reduce((total, part) => total + Number(part[1]) * units[part[2]], 0);
}

function releaseCacheLock() {
  if (!heldCacheLock) return;
  try {
    unlinkSync(heldCacheLock);
  } catch {}
  heldCacheLock = undefined;
}

/** Removes a lock file whose holder died, as the kernel drops a dead process's flock. */
function removeLockOfDeadHolder(lockPath) {
  try {
    const pid = Number(readFileSync(lockPath, 'utf8'));
    if (!Number.isInteger(pid) || pid <= 0) return;
    process.kill(pid, 0);
  } catch (error) {
    if (error.code === 'ESRCH') unlinkSync(lockPath);
  }
}

async function lockCache(cacheDir) {
  const lockPath = join(cacheDir, 'fanal', 'fanal.db.lock');
  mkdirSync(dirname(lockPath), { recursive: true });
  const deadline = Date.now() + CACHE_LOCK_TIMEOUT_MS;

  for (;;) {
    try {
      writeFileSync(lockPath, String(process.pid), { flag: 'wx' });
      heldCacheLock = lockPath;
      return;
    } catch (error) {
      if (error.code !== 'EEXIST')
        fatal(`cache error: unable to open ${lockPath}: ${error.message}`);
    }
    removeLockOfDeadHolder(lockPath);
    if (Date.now() >= deadline) {
      fatal(
        'init error: cache error: unable to initialize fs cache: cache may be in use by another process: timeout',
      );
    }
    await sleep(50);
  }
}

async function checkServer(server) {
  const url = `${server.replace(/\/+$/, '')}/healthz`;
  const response = await fetch(url).catch((error) => error);
  if (response instanceof Error) {
    fatal(`init error: unable to reach the Trivy server: Get "${url}": ${networkError(response)}`);
  }
  if (!response.ok) fatal(`init error: Trivy server ${url} returned ${response.status}`);
}

function networkError(error) {
  const cause = error.cause;
  if (cause?.code === 'ECONNREFUSED')
    return `dial tcp ${cause.address}:${cause.port}: connect: connection refused`;
  return cause?.message ?? error.message;
}

function parseImageRef(ref) {
  const slash = ref.indexOf('/');
  const host = slash > 0 ? ref.slice(0, slash) : '';
  if (!/[.:]/.test(host) && host !== 'localhost') {
    fatal(
      `the stand-in reads only from a registry named in the reference, such as 127.0.0.1:5000/repository@sha256:...; got "${ref}"`,
    );
  }
  let repository = ref.slice(slash + 1);
  let reference = 'latest';
  const at = repository.indexOf('@');
  if (at >= 0) {
    reference = repository.slice(at + 1);
    repository = repository.slice(0, at);
  }
  const colon = repository.lastIndexOf(':');
  if (colon > repository.lastIndexOf('/')) {
    if (at < 0) reference = repository.slice(colon + 1);
    repository = repository.slice(0, colon);
  }
  return { host, repository, reference };
}

function basicAuth() {
  const { TRIVY_USERNAME: username, TRIVY_PASSWORD: password } = process.env;
  if (username === undefined) return {};
  const credentials = Buffer.from(`${username}:${password ?? ''}`).toString('base64');
  return { Authorization: `Basic ${credentials}` };
}

async function fetchBearerToken(challenge) {
  const fields = Object.fromEntries(
    [...challenge.matchAll(/(\w+)="([^"]*)"/g)].map((match) => [match[1], match[2]]),
  );
  const url = new URL(fields.realm);
  if (fields.service) url.searchParams.set('service', fields.service);
  if (fields.scope) url.searchParams.set('scope', fields.scope);
  const response = await fetch(url, { headers: basicAuth() }).catch((error) => error);
  if (response instanceof Error) fatal(remoteError(`Get "${url}": ${networkError(response)}`));
  if (!response.ok) fatal(remoteError(`GET ${url}: unexpected status code ${response.status}`));
  const body = await response.json();
  return { Authorization: `Bearer ${body.token ?? body.access_token}` };
}

function remoteError(detail) {
  return `run error: image scan error: scan error: unable to initialize a scanner: unable to initialize an image scanner: 1 error occurred:\n\t* remote error: ${detail}`;
}

async function registryErrorDetail(url, response) {
  const body = await response.json().catch(() => undefined);
  const first = body?.errors?.[0];
  if (first) return `GET ${url}: ${first.code}: ${first.message}`;
  return `GET ${url}: unexpected status code ${response.status} ${response.statusText}`;
}

async function registryGetJson(image, path, auth) {
  const scheme = insecure ? 'http' : 'https';
  const url = `${scheme}://${image.host}/v2/${image.repository}/${path}`;
  const request = (headers) => fetch(url, { headers: { Accept: MANIFEST_TYPES, ...headers } });

  let response = await request(auth.headers).catch((error) => error);
  if (response instanceof Error) fatal(remoteError(`Get "${url}": ${networkError(response)}`));
  const challenge = response.headers.get('www-authenticate') ?? '';
  if (response.status === 401 && challenge.startsWith('Bearer ')) {
    auth.headers = await fetchBearerToken(challenge);
    response = await request(auth.headers);
  }
  if (!response.ok) fatal(remoteError(await registryErrorDetail(url, response)));
  return response.json();
}

/** Picks linux/amd64 from an index, else its first platform; attestations are no platform. */
function choosePlatform(manifests) {
  const platforms = manifests.filter(
    (entry) =>
      entry.annotations?.['vnd.docker.reference.type'] !== 'attestation-manifest' &&
      entry.platform?.os !== 'unknown',
  );
  const amd64 = platforms.find(
    (entry) => entry.platform?.os === 'linux' && entry.platform?.architecture === 'amd64',
  );
  return amd64 ?? platforms[0] ?? fatal('the image index lists no platform');
}

async function fetchImageConfig(imageRef) {
  const image = parseImageRef(imageRef);
  const auth = { headers: basicAuth() };
  let manifest = await registryGetJson(image, `manifests/${image.reference}`, auth);
  if (Array.isArray(manifest.manifests)) {
    const entry = choosePlatform(manifest.manifests);
    manifest = await registryGetJson(image, `manifests/${entry.digest}`, auth);
  }
  const configDigest = manifest.config?.digest ?? fatal(`manifest of ${imageRef} has no config`);
  return registryGetJson(image, `blobs/${configDigest}`, auth);
}

function listJsonFiles(dir) {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => join(entry.parentPath ?? entry.path, entry.name))
    .sort();
}

/** Returns the first recorded report, by path, whose layers equal the image's layers. */
function findRecordedReport(diffIds, imageRef) {
  const expected = JSON.stringify(diffIds);
  for (const path of listJsonFiles(FIXTURES_DIR)) {
    let report;
    try {
      report = JSON.parse(readFileSync(path, 'utf8'));
    } catch {
      continue;
    }
    if (JSON.stringify(report?.Metadata?.ImageConfig?.rootfs?.diff_ids) === expected) return report;
  }
  fatal(
    `no recorded report in ${FIXTURES_DIR} has the rootfs.diff_ids of ${imageRef} ` +
      `(${diffIds.length} layers, first ${diffIds[0]}); push an image whose config is a ` +
      "recorded report's Metadata.ImageConfig, or set TRIVY_STAND_IN_REPORT.",
  );
}

async function chooseReport(imageRef) {
  const forced = process.env.TRIVY_STAND_IN_REPORT;
  if (forced) return JSON.parse(readFileSync(forced, 'utf8'));
  const config = await fetchImageConfig(imageRef);
  const diffIds = config?.rootfs?.diff_ids;
  if (!Array.isArray(diffIds) || diffIds.length === 0) {
    fatal(`the image config of ${imageRef} has no rootfs.diff_ids`);
  }
  return findRecordedReport(diffIds, imageRef);
}

async function scanImage(args) {
  const { values: flags, positionals } = parseImageFlags(args);
  if (positionals.length !== 1)
    fatal(`"trivy image" requires exactly 1 argument, got ${positionals.length}`);
  if (flags.format !== 'json')
    fatal(`the stand-in writes only --format json, got "${flags.format}"`);
  const imageRef = positionals[0];
  insecure ||= flags.insecure === true;
  const server = flags.server ?? process.env.TRIVY_SERVER;
  const cacheDir =
    flags['cache-dir'] ??
    process.env.TRIVY_CACHE_DIR ??
    join(process.env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'trivy');
  logEvent('start', { cacheDir, server });
  process.on('exit', (code) => {
    releaseCacheLock();
    logEvent('end', { cacheDir, server, exitCode: code });
  });

  const timeoutMs = parseDurationMs(flags.timeout);
  setTimeout(() => {
    fatal(
      'image scan error: scan error: scan failed: failed analysis: analyze error: timeout: context deadline exceeded',
    );
  }, timeoutMs).unref();

  if (server) await checkServer(server);
  else await lockCache(cacheDir);

  await sleep(Number(process.env.TRIVY_STAND_IN_DELAY_MS ?? 0));
  if (process.env.TRIVY_STAND_IN_FAIL) {
    process.stderr.write(`${process.env.TRIVY_STAND_IN_FAIL}\n`);
    process.exit(1);
  }

  const report = await chooseReport(imageRef);
  report.ArtifactName = imageRef;
  const text =
    process.env.TRIVY_STAND_IN_OUTPUT === 'garbage'
      ? 'this is not JSON\n'
      : `${JSON.stringify(report, null, 2)}\n`;
  if (flags.output) writeFileSync(flags.output, text);
  else process.stdout.write(text);
  process.exit(0);
}

async function main() {
  const [command, ...rest] = process.argv.slice(2);
  process.on('SIGTERM', () => process.exit(143));
  process.on('SIGINT', () => process.exit(130));

  if (command === '--version' || command === '-v' || command === 'version') {
    process.stdout.write(`Version: ${VERSION}\nRecorded reports: ${FIXTURES_DIR}\n`);
    return;
  }
  if (command !== 'image' && command !== 'i') {
    process.stderr.write(
      `Error: unknown command "${command ?? ''}" for "trivy"; the stand-in supports "image" and "--version"\n`,
    );
    process.exit(1);
  }
  await scanImage(rest);
}

await main();
