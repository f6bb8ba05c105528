/**
 * The paths the benchmark measures, each against the direct path to the backend in the same run.
 * The cloud load balancer is always there; the next step (client → LB → kube-proxy NodePort →
 * pod) plugs in here: return its base URL once apps/kube-proxy exists.
 */
export interface BenchPath {
  name: string;
  /** e.g. `http://127.203.113.7:80` */
  baseUrl: string;
  stop?: () => Promise<void>;
}

/**
 * Hook for LB → kube-proxy → pod: start the built-in cluster's kube-proxy (and a pod answering
 * `/small` and `/bytes/<n>` like bench/dataplane/backend.ts), create a LoadBalancer Service, and
 * return the path through its load balancer. Undefined until kube-proxy exists.
 */
export function startKubeProxyPath(): Promise<BenchPath | undefined> {
  return Promise.resolve(undefined);
}
