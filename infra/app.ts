import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { BerthStack } from './berth-stack';
import { readConfig } from './config';

const repositoryRoot = fileURLToPath(new URL('..', import.meta.url));
const spaDirectory = join(repositoryRoot, 'web', 'dist');

/** Builds the SPA into web/dist when it is missing, so a fresh checkout synthesizes. */
async function ensureSpaBuilt(): Promise<void> {
  if (existsSync(join(spaDirectory, 'index.html'))) return;

  const { build } = await import('vite');
  await build({ configFile: join(repositoryRoot, 'web', 'vite.config.ts'), logLevel: 'warn' });
}

await ensureSpaBuilt();

const app = new App();
const config = readConfig((name) => app.node.tryGetContext(name));
const stackName = (app.node.tryGetContext('stackName') as string | undefined) ?? 'Berth';

const stack = new BerthStack(app, stackName, {
  config,
  repositoryRoot,
  spaDirectory,
  description: 'Berth: registry UI with Trivy scanning',
  // An existing VPC is looked up, which needs the account and region of the deploy credentials.
  env: config.vpcId
    ? { account: process.env.CDK_DEFAULT_ACCOUNT, region: process.env.CDK_DEFAULT_REGION }
    : undefined,
});

// cdk-nag 3 runs as a policy validation plugin, which this aws-cdk-lib does not call during
// synthesis, so the checks run here and stop the synthesis on any finding.
const report = new AwsSolutionsChecks(app).validateScope(stack);
if (report.violations.length > 0) {
  const findings = report.violations.map((violation) => `  ${violation.ruleName}`).join('\n');
  throw new Error(
    `cdk-nag AwsSolutions checks failed:\n${findings}\n` +
      'Fix each finding, or acknowledge it with a reason where the construct is defined.',
  );
}
