/**
 * Deployment options of the Berth stack, read from the CDK context (`cdk.json` or `-c NAME=VALUE`).
 * docs/deploy.md lists every option with its default.
 */

/** Registry that Berth reads images from. */
export type RegistryOptions =
  | { kind: 'ecr'; registryId?: string }
  | { kind: 'distribution'; url: string; secretArn?: string };

/** The Trivy server of remote mode: deployed by the stack, or an existing one. */
export type TrivyServerOptions =
  | { kind: 'deployed'; trivyVersion: string }
  | { kind: 'existing'; url: string; tokenSecretArn?: string };

/** Scanner mode: Trivy inside the task, or a Trivy server. */
export type ScannerOptions = { mode: 'builtin' } | { mode: 'remote'; server: TrivyServerOptions };

/** The validated deployment options. */
export interface BerthConfig {
  registry: RegistryOptions;
  scanner: ScannerOptions;
  /** Scanner tasks that may run at once: 1 in builtin mode. */
  maxTasks: number;
  /** Scans one task runs at once: 1 in builtin mode. */
  scanConcurrency: number;
  scanTimeoutSeconds: number;
  /** Key prefix of results and statuses in the data bucket, ending with `/`. */
  dataPrefix: string;
  /** Repository globs scanned on ECR push; empty turns scan on push off. */
  scanOnPushPatterns: string[];
  /** An existing VPC; a new one is created when absent. */
  vpcId?: string;
  /** Prefix of the Cognito hosted UI domain; derived from the stack name when absent. */
  authDomainPrefix?: string;
}

/** Reads context values by name, as `Node.tryGetContext` does. */
export type ContextReader = (name: string) => unknown;

/** Every context option the stack reads. */
export const CONTEXT_OPTIONS = [
  'registryUrl',
  'registrySecretArn',
  'ecrRegistryId',
  'scannerMode',
  'scannerUrl',
  'scannerTokenSecretArn',
  'trivyVersion',
  'maxTasks',
  'scanConcurrency',
  'scanTimeout',
  'dataPrefix',
  'scanOnPushPatterns',
  'vpcId',
  'authDomainPrefix',
] as const;

/** Trivy release of the deployed server; keep it equal to the one in scanner-task/Dockerfile. */
export const DEFAULT_TRIVY_VERSION = '0.70.0';

// Releases that carried credential-stealing code in the March 2026 supply-chain incident.
const COMPROMISED_TRIVY_VERSIONS = ['0.69.4', '0.69.5', '0.69.6'];

// SQS caps the visibility timeout at 12 hours, and the queue adds a margin to the scan timeout.
const MAX_SCAN_TIMEOUT_SECONDS = 11 * 3600;

/** Reads and validates the options; an invalid one is an Error naming it and the expected value. */
export function readConfig(context: ContextReader): BerthConfig {
  const registry = readRegistry(context);
  const scanner = readScanner(context);
  const builtin = scanner.mode === 'builtin';

  return {
    registry,
    scanner,
    maxTasks: builtin
      ? readBuiltinOne(context, 'maxTasks')
      : readInteger(context, 'maxTasks', 3, 1, 50),
    scanConcurrency: builtin
      ? readBuiltinOne(context, 'scanConcurrency')
      : readInteger(context, 'scanConcurrency', 2, 1, 16),
    scanTimeoutSeconds: readDuration(context, 'scanTimeout', 600),
    dataPrefix: readDataPrefix(context),
    scanOnPushPatterns: readPatterns(context, registry),
    vpcId: readMatch(context, 'vpcId', /^vpc-[0-9a-f]{8,17}$/, 'a VPC id such as vpc-0abc1234'),
    authDomainPrefix: readMatch(
      context,
      'authDomainPrefix',
      /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
      'lower-case letters, digits and hyphens, at most 63 characters',
    ),
  };
}

function readRegistry(context: ContextReader): RegistryOptions {
  const url = readString(context, 'registryUrl');
  const secretArn = readSecretArn(context, 'registrySecretArn');
  const registryId = readMatch(context, 'ecrRegistryId', /^\d{12}$/, 'a 12-digit AWS account id');

  if (url === undefined) {
    rejectWith(context, 'registrySecretArn', secretArn, 'unset unless registryUrl is set');
    return { kind: 'ecr', registryId };
  }

  checkUrl('registryUrl', url, 'https:');
  rejectWith(context, 'ecrRegistryId', registryId, 'unset when registryUrl is set');
  return { kind: 'distribution', url: url.replace(/\/+$/, ''), secretArn };
}

function readScanner(context: ContextReader): ScannerOptions {
  const mode = readString(context, 'scannerMode') ?? 'builtin';
  const url = readString(context, 'scannerUrl');
  const tokenSecretArn = readSecretArn(context, 'scannerTokenSecretArn');
  const trivyVersion = readMatch(
    context,
    'trivyVersion',
    /^\d+\.\d+\.\d+$/,
    'a Trivy release such as 0.70.0',
  );

  if (trivyVersion && COMPROMISED_TRIVY_VERSIONS.includes(trivyVersion)) {
    throw invalid(
      'trivyVersion',
      trivyVersion,
      `a release other than ${COMPROMISED_TRIVY_VERSIONS.join(', ')}`,
    );
  }

  if (mode === 'builtin') {
    rejectWith(context, 'scannerUrl', url, 'unset unless scannerMode is remote');
    rejectWith(context, 'trivyVersion', trivyVersion, 'unset unless scannerMode is remote');
    rejectWith(context, 'scannerTokenSecretArn', tokenSecretArn, 'unset unless scannerUrl is set');
    return { mode };
  }
  if (mode !== 'remote') throw invalid('scannerMode', mode, 'builtin or remote');

  if (url === undefined) {
    rejectWith(context, 'scannerTokenSecretArn', tokenSecretArn, 'unset unless scannerUrl is set');
    return {
      mode,
      server: { kind: 'deployed', trivyVersion: trivyVersion ?? DEFAULT_TRIVY_VERSION },
    };
  }

  checkUrl('scannerUrl', url, 'http:', 'https:');
  rejectWith(context, 'trivyVersion', trivyVersion, 'unset when scannerUrl is set');
  return { mode, server: { kind: 'existing', url: url.replace(/\/+$/, ''), tokenSecretArn } };
}

/** Builtin mode shares one Trivy cache on EFS, so it runs one task with one scan at a time. */
function readBuiltinOne(context: ContextReader, name: string): number {
  return readInteger(context, name, 1, 1, 1);
}

function readDataPrefix(context: ContextReader): string {
  const prefix = readString(context, 'dataPrefix') ?? 'data/';
  if (!/^(?:[A-Za-z0-9._-]+\/)+$/.test(prefix)) {
    throw invalid(
      'dataPrefix',
      prefix,
      'S3 key segments of letters, digits, . _ - each ending with /',
    );
  }
  return prefix;
}

function readPatterns(context: ContextReader, registry: RegistryOptions): string[] {
  const value = context('scanOnPushPatterns');
  const text = Array.isArray(value) ? value.join(',') : value;
  if (text !== undefined && typeof text !== 'string') {
    throw invalid('scanOnPushPatterns', text, 'repository globs separated by commas');
  }

  const patterns = (text ?? '*')
    .split(',')
    .map((pattern) => pattern.trim())
    .filter((pattern) => pattern !== '');
  for (const pattern of patterns) {
    if (!/^[a-z0-9*][a-z0-9._/*-]*$/.test(pattern)) {
      throw invalid('scanOnPushPatterns', pattern, 'ECR repository names with * as wildcard');
    }
  }

  // Push events come from ECR only, so a Distribution registry has nothing to subscribe to.
  return registry.kind === 'ecr' ? patterns : [];
}

function readDuration(context: ContextReader, name: string, fallbackSeconds: number): number {
  const value = context(name);
  if (value === undefined) return fallbackSeconds;

  const match = /^(\d+)(s|m|h)?$/.exec(String(value).trim());
  const unitSeconds = { s: 1, m: 60, h: 3600 }[match?.[2] ?? 's'] ?? 1;
  const seconds = Number(match?.[1]) * unitSeconds;
  if (!match || seconds < 60 || seconds > MAX_SCAN_TIMEOUT_SECONDS) {
    throw invalid(name, value, 'a duration from 60s to 11h, such as 600s, 10m or 1h');
  }
  return seconds;
}

function readInteger(
  context: ContextReader,
  name: string,
  fallback: number,
  min: number,
  max: number,
): number {
  const value = context(name);
  if (value === undefined) return fallback;

  const text = String(value).trim();
  // Only plain decimal digits: Number() would also take 0x3 and 1e1.
  const number = typeof value === 'number' ? value : /^\d+$/.test(text) ? Number(text) : Number.NaN;
  if (!Number.isInteger(number) || number < min || number > max) {
    const range = min === max ? `${min} in builtin mode` : `a whole number from ${min} to ${max}`;
    throw invalid(name, value, range);
  }
  return number;
}

function readSecretArn(context: ContextReader, name: string): string | undefined {
  return readMatch(
    context,
    name,
    /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+$/,
    'a Secrets Manager secret ARN',
  );
}

function readMatch(
  context: ContextReader,
  name: string,
  pattern: RegExp,
  expected: string,
): string | undefined {
  const value = readString(context, name);
  if (value !== undefined && !pattern.test(value)) throw invalid(name, value, expected);
  return value;
}

function readString(context: ContextReader, name: string): string | undefined {
  const value = context(name);
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw invalid(name, value, 'a string');
  return value.trim();
}

function checkUrl(name: string, value: string, ...protocols: string[]): void {
  const expected = `a URL starting with ${protocols.map((protocol) => `${protocol}//`).join(' or ')}`;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw invalid(name, value, expected);
  }
  if (!protocols.includes(url.protocol)) throw invalid(name, value, expected);
  if (url.username || url.password) {
    // Credentials in the URL would land in plain text in the function and task environment.
    throw invalid(
      name,
      '<URL with credentials>',
      `${expected}, without a user or password (use registrySecretArn)`,
    );
  }
}

function rejectWith(context: ContextReader, name: string, value: unknown, expected: string): void {
  if (value !== undefined) throw invalid(name, context(name), expected);
}

function invalid(name: string, value: unknown, expected: string): Error {
  return new Error(
    `Invalid context option ${name} ${JSON.stringify(value)}: expected ${expected}. ` +
      'Set it in cdk.json or with -c NAME=VALUE (see docs/deploy.md).',
  );
}
