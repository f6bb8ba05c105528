import { Type } from 'class-transformer';
import { IsIn, IsInt, IsNumber, IsOptional, IsString, Max, Min } from 'class-validator';
import { ControllerManagerFlags } from './component-flags';
import { IsGoDuration } from './flag-formats';

/**
 * Validated configuration of `nimbus controller-manager`: upstream kube-controller-manager flag
 * names and 1.32 defaults (cluster-simulation.md §3), plus `--kubeconfig`. Durations stay strings
 * like the flags; the app turns them into milliseconds.
 */
export class KubeControllerManagerConfig extends ControllerManagerFlags {
  leaderElectResourceName = 'kube-controller-manager';
  securePort = 10257;

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

  /** How often the horizontal-pod-autoscaler controller syncs each autoscaler. */
  @IsGoDuration()
  horizontalPodAutoscalerSyncPeriod = '15s';

  /** How long a scale-down waits for the highest recommendation of the window. */
  @IsGoDuration()
  horizontalPodAutoscalerDownscaleStabilization = '5m';

  /** The change in the usage ratio below which the HPA does not act. */
  @Type(() => Number)
  @IsNumber()
  @Min(0)
  horizontalPodAutoscalerTolerance = 0.1;

  /** After a pod starts, CPU samples count only once it has been Ready for a sample window. */
  @IsGoDuration()
  horizontalPodAutoscalerCpuInitializationPeriod = '5m';

  /** A pod not Ready this long after starting is taken as never ready. */
  @IsGoDuration()
  horizontalPodAutoscalerInitialReadinessDelay = '30s';

  /** ResourceQuotas the resourcequota controller syncs at once. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  concurrentResourceQuotaSyncs = 5;

  /** How often every quota's usage is recounted in full. */
  @IsGoDuration()
  resourceQuotaSyncPeriod = '5m';

  /** CA bundle published as `kube-root-ca.crt`; default the kubeconfig's cluster CA. */
  @IsOptional()
  @IsString()
  rootCaFile?: string;
}
