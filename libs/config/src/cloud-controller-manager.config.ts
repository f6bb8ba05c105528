import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsOptional, IsString, Matches, Min, MinLength } from 'class-validator';
import { ControllerManagerFlags } from './component-flags';
import { DURATION, DURATION_MESSAGE, toBoolean } from './flag-formats';

/**
 * Validated configuration of `nimbus ccm` (upstream cloud-controller-manager flag names and
 * defaults, ccm-behaviour §3.1), plus Nimbus's `--kubeconfig`, `--cloud-url`, `--cloud-token`.
 * Durations stay strings like the flags; `parseDuration` turns them into milliseconds. The flags
 * every controller manager shares (`--controllers`, leader election, `--secure-port`, …) come
 * from ControllerManagerFlags.
 */
export class CloudControllerManagerConfig extends ControllerManagerFlags {
  override leaderElectResourceName = 'cloud-controller-manager';
  override securePort = 10258;

  @IsString()
  @MinLength(1)
  cloudUrl = 'http://127.0.0.1:8080';

  @IsOptional()
  @IsString()
  @MinLength(1)
  cloudToken?: string;

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

  /** `Name=true,Other=false` (upstream `--feature-gates`); names are checked at start-up. */
  @IsString()
  featureGates = '';
}
