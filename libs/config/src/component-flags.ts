import { Transform } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, MinLength } from 'class-validator';
import { LOG_LEVELS, type LogLevel } from './cloud-api.config';
import { withCloudClientFlags } from './cloud-client-flags';
import { ControlPlaneConfig } from './control-plane.config';
import { IsGoDuration, toBoolean, toList } from './flag-formats';

/** `--kubeconfig` and `--log-level`: what every cluster component takes. */
export class KubeComponentFlags {
  /** Path of a kubeconfig; absent → the in-cluster config (service account). */
  @IsOptional()
  @IsString()
  kubeconfig?: string;

  @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';
}

/** A component of one named cluster (`--cluster-name`, default `kubernetes`). */
export class ClusterComponentFlags extends KubeComponentFlags {
  @IsString()
  @MinLength(1)
  clusterName = 'kubernetes';
}

/**
 * A component that also reads the Nimbus cloud (the cloud client flags: `--cloud-url`,
 * `--cloud-token`, `--cloud-ca-file`, `--cloud-insecure-skip-tls-verify`): the simulated kubelets
 * and kube-proxies (the CCM mixes the same flags into its controller-manager base).
 */
export class CloudComponentFlags extends withCloudClientFlags(ClusterComponentFlags) {}

/**
 * The flags k8s.io/controller-manager adds to every control-plane component's (ControlPlaneConfig:
 * kubeconfig, leader election, `/healthz` + `/metrics`, logging): `--cluster-name`,
 * `--controllers`, the cluster CIDR pair, `--node-monitor-period`. Subclasses set their own Lease
 * name and port defaults.
 */
export abstract class ControllerManagerFlags extends ControlPlaneConfig {
  @IsString()
  @MinLength(1)
  clusterName = 'kubernetes';

  /** `*` (all enabled by default), names, `-name` to disable: `--controllers=*,-route`. */
  @Transform(toList)
  @IsString({ each: true })
  controllers: string[] = ['*'];

  /** Pod CIDR range(s), at most one per family (`10.244.0.0/16[,fd00:10:244::/56]`). */
  @IsString()
  clusterCidr = '';

  @Transform(toBoolean)
  @IsBoolean()
  allocateNodeCidrs = false;

  @IsGoDuration()
  nodeMonitorPeriod = '5s';
}
