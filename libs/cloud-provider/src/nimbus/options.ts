import type { NimbusCloudClient } from '@app/cloud-client';
import type { NodeAdoptionPolicy } from '../api/node-adoption';
import type { LoadBalancerIPMode } from '../api/types';

/** Where the provider reports what it decided (skipped nodes, replacements). Default: silent. */
export interface ProviderLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
}

export const SILENT_LOGGER: ProviderLogger = { info: () => undefined, warn: () => undefined };

export interface NimbusCloudProviderOptions {
  client: NimbusCloudClient;
  /** `--cluster-name`, for hasClusterID(); the controllers pass it to every call as well. */
  clusterName?: string;
  /** Region of the load balancers; default the first region of GET /v1/regions. */
  region?: string;
  /** Network of the pod routes (by name); default the project's default network. */
  routeNetwork?: string;
  /** The RetryError delay while a load balancer provisions, updates or is replaced; default 3 s. */
  loadBalancerRetryAfterMs?: number;
  /** `ipMode` of every ingress entry; default VIP (Nimbus load balancers do not proxy). */
  ipMode?: LoadBalancerIPMode;
  /**
   * kube-proxy's /healthz port on every node, health-checked for Services with UDP ports only;
   * a function when it is known only later (port 0 picked at start); default 10256.
   */
  kubeProxyHealthzPort?: number | (() => number | undefined);
  logger?: ProviderLogger;
  /**
   * Adopt nodes without a Nimbus providerID and without an instance: import them
   * (`POST /v1/instances:import`) when a lookup misses. Default: no adoption.
   */
  adoption?: NodeAdoptionPolicy;
  /** Zone of volumes provisioned without any topology (Immediate, no nodes); default the first zone. */
  defaultVolumeZone?: string;
}

/** Label values must be ≤ 63 characters of `[A-Za-z0-9._-]`, starting and ending alphanumeric. */
export function labelValue(text: string): string {
  const cleaned = text
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .replace(/[^A-Za-z0-9]+$/, '');
  return cleaned.slice(0, 63).replace(/[^A-Za-z0-9]+$/, '');
}
