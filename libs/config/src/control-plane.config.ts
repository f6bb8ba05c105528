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
import { DURATION, DURATION_MESSAGE, toBoolean } from './flag-formats';

/**
 * The options every control-plane component shares (upstream component-base flags): the
 * kubeconfig, leader election, the `/healthz` + `/metrics` port, logging. Each component's config
 * extends it and sets its Lease name and port defaults.
 */
export abstract class ControlPlaneConfig {
  /** Path of a kubeconfig; absent → the in-cluster config (service account). */
  @IsOptional()
  @IsString()
  kubeconfig?: string;

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
  abstract leaderElectResourceName: string;

  @IsString()
  @MinLength(1)
  leaderElectResourceNamespace = 'kube-system';

  /** `/healthz` and `/metrics` (plain HTTP on `--bind-address`; 0 = any free port, -1 = off). */
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(65535)
  abstract securePort: number;

  @IsString()
  bindAddress = '127.0.0.1';

  @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';
}
