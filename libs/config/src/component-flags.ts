import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { LOG_LEVELS, type LogLevel } from './cloud-api.config';
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
 * A component that also reads the Nimbus cloud (`--cloud-url`, `--cloud-token`): the simulated
 * kubelets and kube-proxies (the CCM declares the same two flags itself).
 */
export class CloudComponentFlags extends ClusterComponentFlags {
  @IsString()
  @MinLength(1)
  cloudUrl = 'http://127.0.0.1:8080';

  @IsOptional()
  @IsString()
  @MinLength(1)
  cloudToken?: string;
}

/**
 * The flags k8s.io/controller-manager gives every controller manager: `--controllers`, the
 * cluster CIDR pair, leader election on a Lease, `/healthz` + `/metrics` on `--secure-port`.
 * Subclasses set their own Lease name and port defaults.
 */
export class ControllerManagerFlags extends ClusterComponentFlags {
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

  @Transform(toBoolean)
  @IsBoolean()
  leaderElect = true;

  @IsGoDuration()
  leaderElectLeaseDuration = '15s';

  @IsGoDuration()
  leaderElectRenewDeadline = '10s';

  @IsGoDuration()
  leaderElectRetryPeriod = '2s';

  @IsString()
  @MinLength(1)
  leaderElectResourceName = 'controller-manager';

  @IsString()
  @MinLength(1)
  leaderElectResourceNamespace = 'kube-system';

  /** `/healthz` and `/metrics` (plain HTTP on `--bind-address`; 0 = any free port, -1 = off). */
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(65535)
  securePort = -1;

  @IsString()
  bindAddress = '127.0.0.1';
}
