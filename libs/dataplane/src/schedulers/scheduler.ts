/**
 * Schedulers choose the backend of a new connection (or UDP flow) among the eligible ones. Names
 * are IPVS's (`ipvsadm -s`, kube-proxy `--ipvs-scheduler`); the cloud API's names are aliases.
 */

/** A backend as a scheduler sees it. */
export interface Candidate {
  id: string;
  /** > 0 (backends with weight 0 are never candidates). */
  weight: number;
  /** Open connections (TCP) plus live flows (UDP) of the virtual server to this backend. */
  active: number;
}

export interface PickContext {
  /** The client's address as the listener saw it. */
  client: string;
  /** The listener's bound address:port (what `dh` hashes). */
  destination: string;
}

export interface Scheduler {
  readonly name: IpvsSchedulerName;
  /** `candidates` is non-empty and in the configured backend order. */
  pick(candidates: readonly Candidate[], context: PickContext): Candidate;
}

export const IPVS_SCHEDULERS = ['rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'sh', 'dh', 'mh'] as const;
export type IpvsSchedulerName = (typeof IPVS_SCHEDULERS)[number];

/** The cloud API's `algorithm` values and the IPVS scheduler each one is. */
export const CLOUD_ALGORITHMS = {
  round_robin: 'rr',
  least_connections: 'lc',
  source_ip_hash: 'sh',
} as const satisfies Record<string, IpvsSchedulerName>;
export type CloudAlgorithm = keyof typeof CLOUD_ALGORITHMS;

export type SchedulerName = IpvsSchedulerName | CloudAlgorithm;

/** The IPVS name of a scheduler name or alias; undefined when unknown. */
export function canonicalSchedulerName(name: string): IpvsSchedulerName | undefined {
  if ((IPVS_SCHEDULERS as readonly string[]).includes(name)) {
    return name as IpvsSchedulerName;
  }
  return Object.hasOwn(CLOUD_ALGORITHMS, name)
    ? CLOUD_ALGORITHMS[name as CloudAlgorithm]
    : undefined;
}
