import { GetSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { EcrRegistry } from '../../core/aws/ecr-registry';
import { checkUrl } from '../../core/config';
import { DistributionRegistry } from '../../core/registry/distribution';
import type { Registry } from '../../core/registry/port';
import { requireVariable } from './env';
import type { AwsClients } from './runtime';

/** The registry of REGISTRY_KIND and the credentials Trivy gets for it. */
export interface RegistryAccess {
  registry: Registry;
  /** Registry account for Trivy; undefined for ECR, where Trivy signs in with the task role. */
  credentials?: { username: string; password: string };
  /** True for a plain HTTP registry. Set here because EcrRegistry learns its URL late. */
  insecure: boolean;
}

/**
 * Builds the registry that REGISTRY_KIND names: `ecr` (the account's ECR, or ECR_REGISTRY_ID)
 * or `distribution` (REGISTRY_URL, with the account in the secret REGISTRY_SECRET_ARN).
 */
export async function createRegistry(
  env: NodeJS.ProcessEnv,
  clients: AwsClients,
): Promise<RegistryAccess> {
  const kind = requireVariable(env, 'REGISTRY_KIND');
  if (kind === 'ecr') {
    const region = requireVariable(env, 'AWS_REGION');
    const registryId = env.ECR_REGISTRY_ID?.trim() || undefined;
    // Trivy signs in to ECR itself with the task role, so it gets no credentials here.
    // NOTE: without ECR_REGISTRY_ID the registry host is known only after the first
    // GetAuthorizationToken, so the stack should always set it.
    return {
      registry: new EcrRegistry({ ecr: clients.ecr, registryId, region }),
      insecure: false,
    };
  }
  if (kind !== 'distribution') {
    throw new Error(`Invalid REGISTRY_KIND ${JSON.stringify(kind)}: expected ecr or distribution.`);
  }

  const url = requireVariable(env, 'REGISTRY_URL');
  checkUrl('REGISTRY_URL', url);
  const secretArn = env.REGISTRY_SECRET_ARN?.trim();
  const credentials = secretArn ? await readRegistrySecret(clients, secretArn) : undefined;
  const registry = new DistributionRegistry({ url, ...credentials });
  return { registry, credentials, insecure: registry.insecure };
}

/** Reads the registry account from a Secrets Manager secret `{"username","password"}`. */
async function readRegistrySecret(
  clients: AwsClients,
  secretArn: string,
): Promise<{ username: string; password: string }> {
  const text = await readSecretString(clients, secretArn, 'REGISTRY_SECRET_ARN');
  let value: { username?: unknown; password?: unknown } | undefined;
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    value = undefined;
  }
  if (typeof value?.username !== 'string' || typeof value.password !== 'string') {
    throw new Error(
      `Invalid secret REGISTRY_SECRET_ARN ${secretArn}: expected JSON {"username","password"}.`,
    );
  }
  return { username: value.username, password: value.password };
}

/** Reads the text of a secret; `variable` names the setting in the error. */
export async function readSecretString(
  clients: AwsClients,
  secretArn: string,
  variable: string,
): Promise<string> {
  const secret = await clients.secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
  if (!secret.SecretString) {
    throw new Error(`Invalid secret ${variable} ${secretArn}: it has no text value.`);
  }
  return secret.SecretString;
}
