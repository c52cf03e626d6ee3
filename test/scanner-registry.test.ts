import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest';
import { createScanner } from '../core/scanner';
import { fixturesDir } from '../scripts/lib/images';
import { scanError } from './support/scanner';
import { STAND_IN_PATH } from './support/trivy-server';

const FIXTURES = fixturesDir();
const USERNAME = 'ci-robot';
const PASSWORD = 'registry-password-5d1e';
const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const MANIFEST_TYPES = [
  OCI_INDEX,
  OCI_MANIFEST,
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.docker.distribution.manifest.v2+json',
];

interface Blob {
  digest: string;
  body: string;
  mediaType: string;
}

interface StubRegistry {
  host: string;
  requests: { path: string; headers: IncomingHttpHeaders }[];
  close(): Promise<void>;
}

let ubuntuReport: { Metadata: { ImageConfig: unknown; OS: unknown }; Results: unknown };
let alpineReport: { Metadata: { ImageConfig: unknown } };
let registry: StubRegistry | undefined;
let cacheDir: string;

beforeAll(async () => {
  cacheDir = await mkdtemp(join(tmpdir(), 'berth-scanner-registry-'));
  ubuntuReport = JSON.parse(await readFile(resolve(FIXTURES, 'ubuntu-1804.json'), 'utf8'));
  alpineReport = JSON.parse(await readFile(resolve(FIXTURES, 'alpine-310.json'), 'utf8'));
});

afterEach(async () => {
  await registry?.close();
  registry = undefined;
});

afterAll(async () => {
  await rm(cacheDir, { recursive: true, force: true });
});

function blob(value: unknown, mediaType: string): Blob {
  const body = JSON.stringify(value);
  const digest = `sha256:${createHash('sha256').update(body).digest('hex')}`;
  return { digest, body, mediaType };
}

function imageManifest(config: Blob): Blob {
  const layer = { mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', size: 1 };
  const manifest = {
    schemaVersion: 2,
    mediaType: OCI_MANIFEST,
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: config.digest },
    layers: [{ ...layer, digest: `sha256:${'0'.repeat(64)}` }],
  };
  return blob(manifest, OCI_MANIFEST);
}

/** Builds an index whose arm64 image is alpine and whose amd64 image is ubuntu. */
function multiPlatformImage(ubuntuConfig: unknown): { index: Blob; blobs: Blob[] } {
  const armConfig = blob(alpineReport.Metadata.ImageConfig, 'application/json');
  const amdConfig = blob(ubuntuConfig, 'application/json');
  const armManifest = imageManifest(armConfig);
  const amdManifest = imageManifest(amdConfig);
  const entry = (manifest: Blob, architecture: string) => ({
    mediaType: OCI_MANIFEST,
    digest: manifest.digest,
    size: manifest.body.length,
    platform: { os: 'linux', architecture },
  });
  const index = blob(
    {
      schemaVersion: 2,
      mediaType: OCI_INDEX,
      manifests: [entry(armManifest, 'arm64'), entry(amdManifest, 'amd64')],
    },
    OCI_INDEX,
  );
  return { index, blobs: [index, armManifest, amdManifest, armConfig, amdConfig] };
}

/** Starts a registry on 127.0.0.1 that serves `blobs` under `team/app` with Basic auth. */
async function startStubRegistry(blobs: Blob[]): Promise<StubRegistry> {
  const expected = `Basic ${Buffer.from(`${USERNAME}:${PASSWORD}`).toString('base64')}`;
  const requests: StubRegistry['requests'] = [];
  const server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    requests.push({ path, headers: request.headers });
    if (request.headers.authorization !== expected) {
      response.writeHead(401, { 'WWW-Authenticate': 'Basic realm="Registry Realm"' });
      response.end(
        JSON.stringify({ errors: [{ code: 'UNAUTHORIZED', message: 'authentication required' }] }),
      );
      return;
    }

    const match = /^\/v2\/team\/app\/(?:manifests|blobs)\/(.+)$/.exec(path);
    const found = blobs.find((candidate) => candidate.digest === match?.[1]);
    if (!found) {
      response.writeHead(404, { 'Content-Type': 'application/json' });
      response.end(
        JSON.stringify({ errors: [{ code: 'MANIFEST_UNKNOWN', message: 'manifest unknown' }] }),
      );
      return;
    }
    response.writeHead(200, {
      'Content-Type': found.mediaType,
      'Docker-Content-Digest': found.digest,
    });
    response.end(found.body);
  });

  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const close = () =>
    new Promise<void>((done) => {
      server.closeAllConnections();
      server.close(() => done());
    });
  return { host: `127.0.0.1:${port}`, requests, close };
}

function scanner() {
  return createScanner({
    scannerUrl: 'builtin',
    trivyPath: STAND_IN_PATH,
    timeoutMs: 30_000,
    concurrency: 1,
    cacheDir,
    logger: pino({ level: 'silent' }),
  });
}

describe('stand-in matching by registry', () => {
  test('writes the report of the amd64 config', async () => {
    const image = multiPlatformImage(ubuntuReport.Metadata.ImageConfig);
    registry = await startStubRegistry(image.blobs);
    const imageRef = `${registry.host}/team/app@${image.index.digest}`;
    const credentials = { username: USERNAME, password: PASSWORD };

    const output = await scanner().scan({ imageRef, credentials, insecure: true });

    const report = JSON.parse(output.reportJson);
    expect(report.ArtifactName).toBe(imageRef);
    expect(report.Metadata.OS).toEqual(ubuntuReport.Metadata.OS);
    expect(report.Results).toEqual(ubuntuReport.Results);
  });

  test('sends all four manifest types', async () => {
    const image = multiPlatformImage(ubuntuReport.Metadata.ImageConfig);
    registry = await startStubRegistry(image.blobs);
    const imageRef = `${registry.host}/team/app@${image.index.digest}`;
    const credentials = { username: USERNAME, password: PASSWORD };

    await scanner().scan({ imageRef, credentials, insecure: true });

    const manifestRequest = registry.requests.find((request) =>
      request.path.includes('/manifests/'),
    );
    const accept = manifestRequest?.headers.accept ?? '';
    for (const mediaType of MANIFEST_TYPES) expect(accept).toContain(mediaType);
  });

  test('wrong password fails like Trivy', async () => {
    const image = multiPlatformImage(ubuntuReport.Metadata.ImageConfig);
    registry = await startStubRegistry(image.blobs);
    const imageRef = `${registry.host}/team/app@${image.index.digest}`;
    const credentials = { username: USERNAME, password: 'wrong' };

    const error = await scanError(scanner().scan({ imageRef, credentials, insecure: true }));

    expect(error.reason).toContain('UNAUTHORIZED: authentication required');
  });

  test('unknown layers match no report', async () => {
    const config = { rootfs: { type: 'layers', diff_ids: [`sha256:${'1'.repeat(64)}`] } };
    const image = multiPlatformImage(config);
    registry = await startStubRegistry(image.blobs);
    const imageRef = `${registry.host}/team/app@${image.index.digest}`;
    const credentials = { username: USERNAME, password: PASSWORD };

    const error = await scanError(scanner().scan({ imageRef, credentials, insecure: true }));

    expect(error.reason).toContain('no recorded report');
  });

  test('stopped registry is unreachable', async () => {
    const image = multiPlatformImage(ubuntuReport.Metadata.ImageConfig);
    registry = await startStubRegistry(image.blobs);
    const imageRef = `${registry.host}/team/app@${image.index.digest}`;
    await registry.close();

    const error = await scanError(scanner().scan({ imageRef, insecure: true }));

    expect(error.reason).toContain('connection refused');
  });
});
