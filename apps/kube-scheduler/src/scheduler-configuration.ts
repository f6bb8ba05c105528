import { readFileSync } from 'node:fs';
import { load } from 'js-yaml';
import { ConfigError } from '@app/config';

/** The KubeSchedulerConfiguration fields Nimbus honours. */
export interface SchedulerConfigurationFile {
  schedulerName?: string;
  percentageOfNodesToScore?: number;
  podInitialBackoffSeconds?: number;
  podMaxBackoffSeconds?: number;
  kubeconfig?: string;
}

const API_VERSION = 'kubescheduler.config.k8s.io/v1';
/** Fields accepted for compatibility but without effect here (documented). */
const IGNORED = new Set(['parallelism', 'leaderElection', 'delayCacheUntilActive', 'extenders']);
const KNOWN = new Set([
  'apiVersion',
  'kind',
  'clientConnection',
  'percentageOfNodesToScore',
  'podInitialBackoffSeconds',
  'podMaxBackoffSeconds',
  'profiles',
  ...IGNORED,
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function integer(
  doc: Record<string, unknown>,
  field: string,
  min: number,
  max: number,
): number | undefined {
  const v = doc[field];
  if (v === undefined) {
    return undefined;
  }
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    throw new ConfigError(`--config: ${field} must be an integer from ${min} to ${max}`);
  }
  return v;
}

/**
 * Reads a KubeSchedulerConfiguration file (strictly: unknown fields are an error, as upstream's
 * strict decoding). One profile, configured by `schedulerName` only: plugin sets and plugin args
 * are not configurable in Nimbus and are refused rather than silently ignored. Leader election
 * comes from the command-line flags (as upstream honours them over the file).
 */
export function readSchedulerConfiguration(path: string): SchedulerConfigurationFile {
  let doc: unknown;
  try {
    doc = load(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new ConfigError(`--config: cannot read ${path}: ${(err as Error).message}`);
  }
  if (!isObject(doc)) {
    throw new ConfigError(`--config: ${path} is not a KubeSchedulerConfiguration object`);
  }
  if (doc.apiVersion !== API_VERSION || doc.kind !== 'KubeSchedulerConfiguration') {
    throw new ConfigError(
      `--config: expected apiVersion ${API_VERSION} and kind KubeSchedulerConfiguration`,
    );
  }
  for (const field of Object.keys(doc)) {
    if (!KNOWN.has(field)) {
      throw new ConfigError(`--config: strict decoding error: unknown field "${field}"`);
    }
  }
  const out: SchedulerConfigurationFile = {
    percentageOfNodesToScore: integer(doc, 'percentageOfNodesToScore', 0, 100),
    podInitialBackoffSeconds: integer(doc, 'podInitialBackoffSeconds', 1, 3600),
    podMaxBackoffSeconds: integer(doc, 'podMaxBackoffSeconds', 1, 3600),
  };
  if (isObject(doc.clientConnection) && typeof doc.clientConnection.kubeconfig === 'string') {
    out.kubeconfig = doc.clientConnection.kubeconfig;
  }
  if (doc.profiles !== undefined) {
    if (!Array.isArray(doc.profiles) || doc.profiles.length !== 1 || !isObject(doc.profiles[0])) {
      throw new ConfigError('--config: exactly one profile is supported');
    }
    const profile = doc.profiles[0];
    for (const field of Object.keys(profile)) {
      if (field !== 'schedulerName') {
        throw new ConfigError(
          `--config: profiles[0].${field} is not supported (Nimbus runs the default plugins)`,
        );
      }
    }
    if (typeof profile.schedulerName === 'string' && profile.schedulerName !== '') {
      out.schedulerName = profile.schedulerName;
    }
  }
  return out;
}
