import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsString, Matches } from 'class-validator';
import { CloudComponentFlags } from './component-flags';
import { IsGoDuration, toBoolean } from './flag-formats';

/** `--proxy-mode` values: the user-space proxy is the one mode that needs no root here. */
export const PROXY_MODES = ['userspace', 'ipvs'] as const;
/** `--ipvs-scheduler` values (IPVS's names; empty = rr, as upstream). */
export const PROXY_SCHEDULERS = ['', 'rr', 'wrr', 'lc', 'wlc', 'sed', 'nq', 'sh', 'dh', 'mh'];

/**
 * Validated configuration of `nimbus proxy`: simulated kube-proxies, one per running node of the
 * cluster (the cloud instances labelled `nimbus.dev/cluster=<cluster-name>`).
 */
export class KubeProxyConfig extends CloudComponentFlags {
  /**
   * kube-proxy's `--healthz-bind-address`: `0.0.0.0:<port>` serves /healthz and /livez on every
   * node's own address (its InternalIP on loopback, see hostAddressOf); port 0 = pick one free
   * port at start and use it on every node.
   */
  @IsString()
  @Matches(/^(0\.0\.0\.0|\[::\]|::)?:\d{1,5}$/, {
    message: 'must be 0.0.0.0:<port> (each simulated node binds its own address)',
  })
  healthzBindAddress = '0.0.0.0:10256';

  /** `--metrics-bind-address` `host:port` of /metrics for the whole process; empty = off. */
  @IsString()
  @Matches(/^$|^[^\s]+:\d{1,5}$/, { message: 'must be <host>:<port> (port 0 = any) or empty' })
  metricsBindAddress = '127.0.0.1:10249';

  /**
   * `--proxy-mode`: `userspace` (the seed's) or `ipvs` — both forward in user space with the
   * `--ipvs-scheduler`; iptables and nftables need root and packets, which Nimbus has not.
   */
  @IsIn(PROXY_MODES, {
    message: `must be one of ${PROXY_MODES.join(', ')} (iptables and nftables need root; Nimbus proxies in user space)`,
  })
  proxyMode: (typeof PROXY_MODES)[number] = 'userspace';

  /** `--ipvs-scheduler`: how a Service port picks an endpoint for each new connection. */
  @IsIn(PROXY_SCHEDULERS, { message: `must be one of ${PROXY_SCHEDULERS.slice(1).join(', ')}` })
  ipvsScheduler = 'rr';

  /**
   * Nimbus: forward in a worker thread of its own (default; with `nimbus up`, the one the cloud's
   * load balancers use, so they still hand connections to NodePorts in process); false keeps the
   * proxies on the main event loop.
   */
  @Transform(toBoolean)
  @IsBoolean()
  dataPlaneThread = true;

  /** `--min-sync-period`: changes are applied at most this often. */
  @IsGoDuration()
  minSyncPeriod = '1s';

  /** `--sync-period`: everything is re-applied at least this often. */
  @IsGoDuration()
  syncPeriod = '30s';
}
