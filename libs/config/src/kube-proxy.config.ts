import { IsIn, IsOptional, IsString, Matches, MinLength } from 'class-validator';
import { LOG_LEVELS, type LogLevel } from './cloud-api.config';

/**
 * Validated configuration of `nimbus proxy`: simulated kube-proxies, one per running node of the
 * cluster (the cloud instances labelled `nimbus.dev/cluster=<cluster-name>`).
 */
export class KubeProxyConfig {
  /** Path of a kubeconfig; absent → the in-cluster config (service account). */
  @IsOptional()
  @IsString()
  kubeconfig?: string;

  @IsString()
  @MinLength(1)
  cloudUrl = 'http://127.0.0.1:8080';

  @IsOptional()
  @IsString()
  @MinLength(1)
  cloudToken?: string;

  @IsString()
  @MinLength(1)
  clusterName = 'kubernetes';

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

  @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';
}
