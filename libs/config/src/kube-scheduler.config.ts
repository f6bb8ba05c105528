import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Matches, Max, Min, MinLength } from 'class-validator';
import { ControlPlaneConfig } from './control-plane.config';
import { DURATION, DURATION_MESSAGE } from './flag-formats';

/**
 * Validated configuration of `nimbus scheduler` (upstream kube-scheduler flag names and defaults),
 * plus the KubeSchedulerConfiguration fields Nimbus honours (also read from `--config`).
 */
export class KubeSchedulerConfig extends ControlPlaneConfig {
  /** A KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file; see docs/kube-scheduler.md. */
  @IsOptional()
  @IsString()
  config?: string;

  leaderElectResourceName = 'kube-scheduler';

  securePort = 10259;

  /** The profile's schedulerName: pods naming another scheduler are left alone. */
  @IsString()
  @MinLength(1)
  schedulerName = 'default-scheduler';

  /** 0 = adaptive (50 % − nodes/125, at least 5 %); only matters from 100 nodes. */
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(100)
  percentageOfNodesToScore = 0;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  podInitialBackoffSeconds = 1;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  podMaxBackoffSeconds = 10;

  /** How long a pod may wait in unschedulablePods before it is retried anyway. */
  @Matches(DURATION, DURATION_MESSAGE)
  podMaxInUnschedulablePodsDuration = '5m';
}
