/** Everything the LoadBalancer-services runs are configured with (the docs print it). */
export const SERVICES_RUN_SETTINGS = {
  services: 1000,
  /** Services created and brought to ingress first in each process, not measured. */
  warmUp: 100,
  /** Creates in flight from the bench. */
  inFlight: 20,
  /** Nodes (with running instances) behind every load balancer. */
  nodes: 3,
  timeoutMs: 300_000,
  /** The api-server in a worker thread of the process, as `nimbus up` runs it. */
  apiServerThread: true,
  /** Cloud API options (`nimbus cloud-api` flags). */
  cloud: {
    transitionMs: 0,
    quotas: 'instances=5000,vcpus=50000,loadBalancers=5000,publicIps=10000',
    // Load-balancer addresses for thousands of LBs (the default /24 holds 253).
    lbIpv4Pool: '198.18.0.0/16',
    // The default mutation bucket refills 50/s: 1,000 creates would take 20 s by design.
    rateLimits: 'off',
  },
  /** CCM flags on top of the harness's (logs silent). */
  ccmFlags: {
    controllers: 'service',
    // As deployed: the CCM leads through a Lease (upstream timings 15 s / 10 s / 2 s).
    leaderElect: 'true',
    leaderElectLeaseDuration: '15s',
    leaderElectRenewDeadline: '10s',
    leaderElectRetryPeriod: '2s',
  },
};

export interface ServicesRunResult {
  workers: number;
  services: number;
  withIngress: number;
  /** CPU time of the whole process (all components) during the measured wave ÷ services. */
  cpuMsPerService: number;
  /** Share of the measured wave the one event loop was busy (1 = saturated). */
  eventLoopBusy: number;
  /** First create sent → last ingress seen. */
  totalMs: number;
  /** First create sent → last create answered (the arrival window). */
  createsMs: number;
  /** One more node added → the node sync (UpdateLoadBalancer on every Service) done. */
  nodeSyncMs?: number;
  /** Sorted per-Service durations (ms). */
  stages: Record<string, number[]>;
}
