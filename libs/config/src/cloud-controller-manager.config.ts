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
import { CloudClientFlags } from './cloud-client-flags';

/** Go-style durations as upstream flags take them: `5s`, `10s`, `5m`, `1h30m`, `500ms`. */
const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;
const DURATION_MESSAGE = { message: 'must be a duration such as 500ms, 5s, 5m or 1h' };

/** `true`/`false` strings from the command line and environment become booleans. */
const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/**
 * Validated configuration of `nimbus ccm` (upstream cloud-controller-manager flag names and
 * defaults, ccm-behaviour §3.1), plus Nimbus's `--kubeconfig` and the cloud client flags
 * (`--cloud-url`, `--cloud-token`, `--cloud-ca-file`, `--cloud-insecure-skip-tls-verify`).
 * Durations stay strings like the flags; `parseDuration` turns them into milliseconds.
 */
export class CloudControllerManagerConfig extends CloudClientFlags {
  /** Path of a kubeconfig; absent → the in-cluster config (service account). */
  @IsOptional()
  @IsString()
  kubeconfig?: string;

  @IsString()
  @MinLength(1)
  clusterName = 'kubernetes';

  /** Comma-separated, at most one per family; validated when the route controller starts. */
  @IsString()
  clusterCidr = '';

  @Transform(toBoolean)
  @IsBoolean()
  allocateNodeCidrs = false;

  /** `*` (all), names, `-name` to disable: `--controllers=*,-route`. */
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value,
  )
  @IsString({ each: true })
  controllers: string[] = ['*'];

  @Matches(DURATION, DURATION_MESSAGE)
  nodeMonitorPeriod = '5s';

  @Matches(DURATION, DURATION_MESSAGE)
  routeReconciliationPeriod = '10s';

  @Matches(DURATION, DURATION_MESSAGE)
  nodeStatusUpdateFrequency = '5m';

  @Type(() => Number)
  @IsInt()
  @Min(1)
  concurrentServiceSyncs = 1;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  concurrentNodeSyncs = 1;

  @Transform(toBoolean)
  @IsBoolean()
  configureCloudRoutes = true;

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
  leaderElectResourceName = 'cloud-controller-manager';

  @IsString()
  @MinLength(1)
  leaderElectResourceNamespace = 'kube-system';

  /** `/healthz` and `/metrics` (plain HTTP on `--bind-address`; 0 = any free port, -1 = off). */
  @Type(() => Number)
  @IsInt()
  @Min(-1)
  @Max(65535)
  securePort = 10258;

  @IsString()
  bindAddress = '127.0.0.1';

  @IsIn(LOG_LEVELS)
  logLevel: LogLevel = 'info';

  /**
   * Create the CSIDriver `disk.csi.nimbus.dev` and the StorageClasses `nimbus-ssd` (default) and
   * `nimbus-standard` if missing (never overwritten), when a volume controller runs.
   */
  @Transform(toBoolean)
  @IsBoolean()
  volumeAddons = true;

  /** Zone of volumes provisioned with no topology at all (Immediate, no node); "" = first zone. */
  @IsString()
  defaultVolumeZone = '';

  /** `Name=true,Other=false` (upstream `--feature-gates`); names are checked at start-up. */
  @IsString()
  featureGates = '';
}
