import { join } from 'node:path';
import type { ScanStatus, ScanView } from '../../core/api/schemas';
import {
  buildImage,
  fixturesDir,
  pushImage,
  pushSampleImages,
  recordedConfig,
} from '../../scripts/lib/images';
import { startRegistry, type TestRegistry } from './registry';

/** Starts a registry on a loopback port and pushes the demo images to it. */
export async function startSampleRegistry(): Promise<TestRegistry> {
  const registry = await startRegistry();
  try {
    await pushSampleImages(registry);
  } catch (error) {
    await registry.stop();
    throw error;
  }
  return registry;
}

/** Pushes an image carrying the config of a recorded report under `repository:tag`. */
export async function pushRecorded(
  registry: TestRegistry,
  report: string,
  repository: string,
  tag: string,
): Promise<string> {
  const layout = await buildImage({ config: await recordedConfig(join(fixturesDir(), report)) });
  try {
    return await pushImage(layout, { registryHost: registry.host, repository, tag });
  } finally {
    await layout.remove();
  }
}

/** Builds the API URL of a tag, keeping the repository's slashes. */
export function tagUrl(base: string, repository: string, tag: string, action = ''): string {
  return `${base}/api/repositories/${repository}/tags/${tag}${action ? `/${action}` : ''}`;
}

/** Queues a scan and returns its status. Throws unless the API returns 202. */
export async function requestScan(
  base: string,
  repository: string,
  tag: string,
): Promise<ScanStatus> {
  const response = await fetch(tagUrl(base, repository, tag, 'scan'), { method: 'POST' });
  if (response.status !== 202)
    throw new Error(`POST scan returned ${response.status}: ${await response.text()}`);
  return (await response.json()) as ScanStatus;
}

/** Polls the scan until it is completed or failed, or `timeoutMs` passes. */
export async function waitForScan(
  base: string,
  repository: string,
  tag: string,
  timeoutMs = 30_000,
): Promise<ScanView> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const view = (await (await fetch(tagUrl(base, repository, tag, 'scan'))).json()) as ScanView;
    if (view.status?.state === 'completed' || view.status?.state === 'failed') return view;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`Scan of ${repository}:${tag} did not finish within ${timeoutMs} ms.`);
}
