import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pLimit from 'p-limit';
import { create as createTar } from 'tar';
import type { ImageConfig } from '../../core/image-config';
import { type Descriptor, MEDIA_TYPES } from '../../core/registry/manifest';

const run = promisify(execFile);

const LAYER_MEDIA_TYPE = 'application/vnd.oci.image.layer.v1.tar+gzip';
const CONFIG_MEDIA_TYPE = 'application/vnd.oci.image.config.v1+json';
const IN_TOTO_MEDIA_TYPE = 'application/vnd.in-toto+json';

/** The tag name under which a layout's `index.json` lists its top manifest. */
const LAYOUT_REF = 'latest';

/** The platform of one image in an index. */
export interface ImagePlatform {
  os: string;
  architecture: string;
  variant?: string;
}

/** An OCI image layout on disk whose `index.json` lists one image or index as `latest`. */
export interface OciLayout {
  dir: string;
  ref: string;
  /** Descriptor of the top manifest: an image manifest or an image index. */
  digest: string;
  mediaType: string;
  /** Removes the layout directory. */
  remove(): Promise<void>;
}

/** The content of one image to build. */
export interface ImageSpec {
  /** Config blob, written unchanged. Its `rootfs.diff_ids` need not match the layers. */
  config: ImageConfig;
  /** @default the number of history entries without `empty_layer`, at least 1 */
  layerCount?: number;
}

/** Builds a single-platform OCI image layout in a new temporary directory. */
export async function buildImage(spec: ImageSpec): Promise<OciLayout> {
  const dir = await createLayoutDir();
  const manifest = await writeImage(dir, spec);
  return finishLayout(dir, manifest);
}

/**
 * Builds a multi-platform OCI index. With `attestation`, an attestation manifest like the
 * ones buildx adds (platform unknown/unknown) follows the first image.
 */
export async function buildIndex(
  images: (ImageSpec & { platform: ImagePlatform })[],
  options: { attestation?: boolean } = {},
): Promise<OciLayout> {
  const dir = await createLayoutDir();
  const manifests: Descriptor[] = [];
  for (const image of images) {
    const descriptor = await writeImage(dir, image);
    manifests.push({ ...descriptor, platform: image.platform });
  }

  const first = manifests[0];
  if (options.attestation && first) manifests.splice(1, 0, await writeAttestation(dir, first));

  const index = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociIndex, manifests };
  const descriptor = await writeBlob(dir, MEDIA_TYPES.ociIndex, JSON.stringify(index));
  return finishLayout(dir, descriptor);
}

/** Push destination of an image, with the account when the registry needs one. */
export interface PushTarget {
  registryHost: string;
  repository: string;
  tag: string;
  credentials?: { username: string; password: string };
}

/**
 * Pushes a layout with skopeo over plain HTTP and returns the pushed manifest digest.
 * Credentials go in an auth file, not argv, so other users cannot read them with `ps`.
 */
export async function pushImage(layout: OciLayout, target: PushTarget): Promise<string> {
  const digestFile = join(layout.dir, 'pushed-digest');
  const destination = `docker://${target.registryHost}/${target.repository}:${target.tag}`;
  const args = ['copy', '--all', '--quiet', '--dest-tls-verify=false', '--digestfile', digestFile];
  args.push('--policy', await writePolicy(layout.dir));
  if (target.credentials) {
    args.push('--dest-authfile', await writeAuthFile(layout.dir, target));
  }

  try {
    await run('skopeo', [...args, `oci:${layout.dir}:${layout.ref}`, destination]);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr?.trim() ?? String(error);
    throw new Error(`skopeo failed to push ${destination}: ${stderr}`);
  }
  return (await readFile(digestFile, 'utf8')).trim();
}

/** Reads a recorded Trivy report and returns its `Metadata.ImageConfig`. */
export async function recordedConfig(reportPath: string): Promise<ImageConfig> {
  const report = JSON.parse(await readFile(reportPath, 'utf8')) as {
    Metadata?: { ImageConfig?: ImageConfig };
  };
  const config = report.Metadata?.ImageConfig;
  if (!config) throw new Error(`Trivy report ${reportPath} has no Metadata.ImageConfig.`);
  return config;
}

/** Directory of the recorded Trivy reports: BERTH_FIXTURES_DIR, else the shared fixtures. */
export function fixturesDir(): string {
  const repositoryRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
  const dir =
    process.env.BERTH_FIXTURES_DIR ?? join(repositoryRoot, '..', 'shared', 'fixtures', 'trivy');
  if (!existsSync(dir)) {
    throw new Error(
      `Trivy report fixtures not found in ${dir}. Set BERTH_FIXTURES_DIR to the directory of recorded reports.`,
    );
  }
  return dir;
}

async function createLayoutDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'berth-oci-'));
  await mkdir(join(dir, 'blobs', 'sha256'), { recursive: true });
  await writeFile(join(dir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
  return dir;
}

/** Writes `index.json`, naming the top manifest `latest`. */
async function finishLayout(dir: string, top: Descriptor): Promise<OciLayout> {
  const annotations = { 'org.opencontainers.image.ref.name': LAYOUT_REF };
  const index = { schemaVersion: 2, manifests: [{ ...top, annotations }] };
  await writeFile(join(dir, 'index.json'), JSON.stringify(index));

  const remove = () => rm(dir, { recursive: true, force: true });
  return { dir, ref: LAYOUT_REF, digest: top.digest, mediaType: top.mediaType, remove };
}

/** Writes the layers, config and manifest of one image and returns the manifest's descriptor. */
async function writeImage(dir: string, spec: ImageSpec): Promise<Descriptor> {
  const configText = JSON.stringify(spec.config);
  const config = await writeBlob(dir, CONFIG_MEDIA_TYPE, configText);

  const nonEmptySteps = (spec.config.history ?? []).filter((step) => !step.empty_layer).length;
  const layerCount = spec.layerCount ?? Math.max(nonEmptySteps, 1);
  const layers: Descriptor[] = [];
  for (let index = 0; index < layerCount; index++) {
    layers.push(await writeLayer(dir, `layer ${index} of image ${config.digest}\n`, index));
  }

  const manifest = { schemaVersion: 2, mediaType: MEDIA_TYPES.ociManifest, config, layers };
  return writeBlob(dir, MEDIA_TYPES.ociManifest, JSON.stringify(manifest));
}

/** Writes a gzipped tar holding one small file, so each layer has its own digest. */
async function writeLayer(dir: string, content: string, index: number): Promise<Descriptor> {
  const work = await mkdtemp(join(dir, 'layer-'));
  const fileName = `berth-layer-${index}.txt`;
  await writeFile(join(work, fileName), content);

  const tarPath = join(work, 'layer.tar.gz');
  const mtime = new Date('2020-01-01T00:00:00Z');
  await createTar({ gzip: true, portable: true, mtime, cwd: work, file: tarPath }, [fileName]);
  const descriptor = await writeBlob(dir, LAYER_MEDIA_TYPE, await readFile(tarPath));

  await rm(work, { recursive: true, force: true });
  return descriptor;
}

/** Writes an attestation manifest for `subject` with one in-toto layer, as buildx does. */
async function writeAttestation(dir: string, subject: Descriptor): Promise<Descriptor> {
  const statement = {
    _type: 'https://in-toto.io/Statement/v0.1',
    predicateType: 'https://spdx.dev/Document',
    subject: [{ name: 'berth-sample', digest: { sha256: subject.digest.slice(7) } }],
    predicate: {},
  };
  const layer = await writeBlob(dir, IN_TOTO_MEDIA_TYPE, JSON.stringify(statement));
  const configText = JSON.stringify({
    architecture: 'unknown',
    os: 'unknown',
    rootfs: { type: 'layers', diff_ids: [layer.digest] },
  });
  const config = await writeBlob(dir, CONFIG_MEDIA_TYPE, configText);

  const manifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPES.ociManifest,
    config,
    layers: [layer],
  };
  const descriptor = await writeBlob(dir, MEDIA_TYPES.ociManifest, JSON.stringify(manifest));
  return {
    ...descriptor,
    platform: { os: 'unknown', architecture: 'unknown' },
    annotations: {
      'vnd.docker.reference.digest': subject.digest,
      'vnd.docker.reference.type': 'attestation-manifest',
    },
  };
}

/** Stores bytes under `blobs/sha256/<hex>` and returns their descriptor. */
async function writeBlob(
  dir: string,
  mediaType: string,
  content: string | Buffer,
): Promise<Descriptor> {
  const bytes = typeof content === 'string' ? Buffer.from(content, 'utf8') : content;
  const hex = createHash('sha256').update(bytes).digest('hex');

  const path = join(dir, 'blobs', 'sha256', hex);
  await writeFile(`${path}.tmp`, bytes);
  await rename(`${path}.tmp`, path);
  return { mediaType, digest: `sha256:${hex}`, size: bytes.length };
}

/** Writes a signature policy that accepts any image, so skopeo ignores the host's policy. */
async function writePolicy(dir: string): Promise<string> {
  const path = join(dir, 'policy.json');
  await writeFile(path, JSON.stringify({ default: [{ type: 'insecureAcceptAnything' }] }));
  return path;
}

/** One tag of the demo set and the recorded reports whose configs it carries. */
export interface SampleImage {
  repository: string;
  tag: string;
  /** Report paths relative to the fixtures directory, one per platform. */
  reports: string[];
  /** Platform to set in the config, for the images of an index. */
  platforms?: ImagePlatform[];
}

/** The demo set: OS families, a large real scan, zero findings, every status, an index. */
export const SAMPLE_IMAGES: SampleImage[] = [
  { repository: 'library/alpine', tag: '3.10', reports: ['alpine-310.json'] },
  { repository: 'juice-shop', tag: 'v10.2.0', reports: ['securecodebox/juice-shop-v10.2.0.json'] },
  { repository: 'team/api/server', tag: '1.0', reports: ['fluentd-gems.json'] },
  { repository: 'team/api/server', tag: '2.0', reports: ['spring4shell-jre11.json'] },
  { repository: 'sle-micro', tag: '5.4', reports: ['sl-micro-rancher5.4.json'] },
  { repository: 'debian', tag: 'all-statuses', reports: ['defectdojo/all_statuses.json'] },
  {
    repository: 'multi/base',
    tag: 'latest',
    reports: ['debian-stretch.json', 'alpine-310.json'],
    platforms: [
      { os: 'linux', architecture: 'amd64' },
      { os: 'linux', architecture: 'arm64' },
    ],
  },
];

/** A pushed sample tag and the digest the registry stored it under. */
export interface PushedImage extends SampleImage {
  digest: string;
}

/** Builds and pushes the demo set, three pushes at a time. */
export async function pushSampleImages(registry: {
  host: string;
  credentials?: { username: string; password: string };
}): Promise<PushedImage[]> {
  const fixtures = fixturesDir();
  const limit = pLimit(3);

  const push = async (sample: SampleImage): Promise<PushedImage> => {
    const layout = await buildSample(fixtures, sample);
    try {
      const target = { registryHost: registry.host, ...sample, credentials: registry.credentials };
      return { ...sample, digest: await pushImage(layout, target) };
    } finally {
      await layout.remove();
    }
  };
  return Promise.all(SAMPLE_IMAGES.map((sample) => limit(() => push(sample))));
}

/** Builds one sample: an image, or an index when the sample lists platforms. */
async function buildSample(fixtures: string, sample: SampleImage): Promise<OciLayout> {
  const configs = await Promise.all(
    sample.reports.map((report) => recordedConfig(join(fixtures, report))),
  );
  if (!sample.platforms) {
    const [config] = configs;
    if (!config) throw new Error(`Sample ${sample.repository}:${sample.tag} lists no report.`);
    return buildImage({ config });
  }

  const images = sample.platforms.map((platform, index) => {
    const config = { ...configs[index], os: platform.os, architecture: platform.architecture };
    return { platform, config };
  });
  return buildIndex(images);
}

/** Writes a containers-auth.json file for the push target's registry. */
async function writeAuthFile(dir: string, target: PushTarget): Promise<string> {
  const { username, password } = target.credentials ?? { username: '', password: '' };
  const auth = Buffer.from(`${username}:${password}`, 'utf8').toString('base64');

  const path = join(dir, 'auth.json');
  await writeFile(path, JSON.stringify({ auths: { [target.registryHost]: { auth } } }), {
    mode: 0o600,
  });
  return path;
}
