import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BerthStack } from '../../infra/berth-stack';
import { readConfig } from '../../infra/config';
import { buildWeb } from './browser';

/** The repository root, which is the scanner image's build context. */
export const REPOSITORY_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Account and region of every test stack, so no lookup needs real credentials. */
export const TEST_ENV = { account: '111111111111', region: 'us-east-1' };

/** A synthesized test stack; call `remove` to delete its cloud assembly folder. */
export interface SynthesizedStack {
  app: App;
  stack: BerthStack;
  template: Template;
  remove: () => Promise<void>;
}

/** Options of {@link synthesizeStack}. */
export interface SynthesizeOptions {
  /** Bundle the functions with esbuild; off by default because it takes seconds per stack. */
  bundle?: boolean;
}

/**
 * Synthesizes the Berth stack with the context of cdk.json plus `context`, into a temporary
 * folder. The SPA comes from buildWeb, so callers remove it with removeWebBuild.
 */
export async function synthesizeStack(
  context: Record<string, unknown> = {},
  options: SynthesizeOptions = {},
): Promise<SynthesizedStack> {
  const outdir = await mkdtemp(join(tmpdir(), 'berth-cdk-'));
  const app = new App({
    outdir,
    context: {
      ...cdkJsonContext(),
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
      ...context,
    },
  });
  const remove = () => rm(outdir, { recursive: true, force: true });

  try {
    const config = readConfig((name) => app.node.tryGetContext(name));
    const stack = new BerthStack(app, 'Berth', {
      config,
      repositoryRoot: REPOSITORY_ROOT,
      spaDirectory: await buildWeb(),
      env: TEST_ENV,
    });
    return { app, stack, template: Template.fromStack(stack), remove };
  } catch (error) {
    await remove();
    throw error;
  }
}

/** Creates an App in a temporary folder with the given context, for configuration errors. */
export async function createTestApp(
  context: Record<string, unknown>,
): Promise<{ app: App; remove: () => Promise<void> }> {
  const outdir = await mkdtemp(join(tmpdir(), 'berth-cdk-'));
  const app = new App({ outdir, context: { ...cdkJsonContext(), ...context } });
  return { app, remove: () => rm(outdir, { recursive: true, force: true }) };
}

function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(REPOSITORY_ROOT, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return cdkJson.context ?? {};
}
