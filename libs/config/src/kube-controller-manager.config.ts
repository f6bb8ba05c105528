import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { LOG_LEVELS, type LogLevel } from './cloud-api.config';
import { IsGoDuration, toBoolean, toList } from './flag-formats';

/**
 * Validated configuration of `nimbus controller-manager`: upstream kube-controller-manager flag
 * names and 1.32 defaults (cluster-simulation.md §3), plus `--kubeconfig`. Durations stay strings
 * like the flags; the app turns them into milliseconds.
 */
export class KubeControllerManagerConfig {
  /** Path of a kubeconfig; absent → the in-cluster config (service account). */
  @IsOptional()
  @IsString()
  kubeconfig?: string;

  /** `*` (all enabled by default), names, `-name` to disable: `--controllers=*,-ttl-controller`. */
  @Transform(toList)
  @IsString({ each: true })
  controllers: string[] = ['*'];

  @IsString()
  @MinLength(1)
  clusterName = 'kubernetes';

  /** Pod CIDR range(s) of the cluster, one per family (`10.244.0.0/16[,fd00:10:244::/56]`). */
  @IsString()
  clusterCidr = '';

  /** Run the node-ipam-controller's range allocator (needs `--cluster-cidr`). */
  @Transform(toBoolean)
  @IsBoolean()
  allocateNodeCidrs = false;

  @IsIn(['RangeAllocator', 'CloudAllocator'])
  cidrAllocatorType = 'RangeAllocator';

  /** 0 = the per-family default (24 for IPv4, 64 for IPv6). Single-stack only. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(128)
  nodeCidrMaskSize = 0;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(32)
  nodeCidrMaskSizeIpv4 = 0;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(128)
  nodeCidrMaskSizeIpv6 = 0;

  /** Service ClusterIP range; excluded from pod CIDRs where it overlaps the cluster CIDR. */
  @IsString()
  serviceClusterIpRange = '';

  @IsGoDuration()
  nodeMonitorPeriod = '5s';

  @IsGoDuration()
  nodeMonitorGracePeriod = '50s';

  @IsGoDuration()
  nodeStartupGracePeriod = '1m';

  /** NoExecute tainting rate per zone (nodes per second) while the zone is healthy. */
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  nodeEvictionRate = 0.1;

  @Type(() => Number)
  @IsNumber()
  @Min(0)
  secondaryNodeEvictionRate = 0.01;

  @Type(() => Number)
  @IsInt()
  @Min(0)
  largeClusterSizeThreshold = 50;

  @Type(() => Number)
  @IsNumber()
  @Min(0)
  @Max(1)
  unhealthyZoneThreshold = 0.55;

  /** Terminated pods kept before PodGC deletes the oldest (0 = never). */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  terminatedPodGcThreshold = 12500;

  /** CA bundle published as `kube-root-ca.crt`; default the kubeconfig's cluster CA. */
  @IsOptional()
  @IsString()
  rootCaFile?: string;

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
  leaderElectResourceName = 'kube-controller-manager';

  @IsString()
  @MinLength(1)
  leaderElectResourceNamespace = 'kube-system';

  /** `/healthz` and `/metrics` (plain HTTP on `--bind-address`; 0 = any free port, -1 = off). */
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(65535)
  securePort = 10257;

  @IsString()
  bindAddress = '127.0.0.1';

  @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';
}
