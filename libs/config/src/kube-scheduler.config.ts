import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { LOG_LEVELS, type LogLevel } from './cloud-api.config';
import { DURATION, DURATION_MESSAGE, toBoolean } from './cloud-controller-manager.config';

/**
 * Validated configuration of `nimbus scheduler` (upstream kube-scheduler flag names and defaults),
 * plus the KubeSchedulerConfiguration fields Nimbus honours (also read from `--config`).
 */
export class KubeSchedulerConfig {
  /** Path of a kubeconfig; absent → the in-cluster config (service account). */
  @IsOptional()
  @IsString()
  kubeconfig?: string;

  /** A KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1) file; see docs/kube-scheduler.md. */
  @IsOptional()
  @IsString()
  config?: string;

  @Transform(toBoolean)
  @IsBoolean()
  leaderElect = true;

  @Matches(DURATION, DURATION_MESSAGE)
  leaderElectLeaseDuration = '15s';

  @Matches(DURATION, DURATION_MESSAGE)
  leaderElectRenewDeadline = '10s';

  @Matches(DURATION, DURATION_MESSAGE)
  leaderElectRetryPeriod = '2s';

  @IsString()
  @MinLength(1)
  leaderElectResourceName = 'kube-scheduler';

  @IsString()
  @MinLength(1)
  leaderElectResourceNamespace = 'kube-system';

  /** `/healthz` and `/metrics` (plain HTTP on `--bind-address`; 0 = any free port, -1 = off). */
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(65535)
  securePort = 10259;

  @IsString()
  bindAddress = '127.0.0.1';

  @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';

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
