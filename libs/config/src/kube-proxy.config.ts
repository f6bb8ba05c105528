import { IsString, Matches } from 'class-validator';
import { CloudComponentFlags } from './component-flags';

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
}
