import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, MinLength } from 'class-validator';
import { CloudComponentFlags } from './component-flags';
import { IsGoDuration } from './flag-formats';

/**
 * Validated configuration of `nimbus kubelet`: the simulated kubelets of every running cloud
 * instance labelled `nimbus.dev/cluster=<cluster-name>`. Upstream kubelet flag names and
 * defaults where a kubelet has the setting; the simulation knobs are Nimbus's own.
 */
export class KubeletConfig extends CloudComponentFlags {
  /** How often node status is computed (and the Ready heartbeat refreshed). */
  @IsGoDuration()
  nodeStatusUpdateFrequency = '10s';

  /** Status is written when it changed, or at least this often. */
  @IsGoDuration()
  nodeStatusReportFrequency = '5m';

  /** Lease duration; the lease is renewed every quarter of it. */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  nodeLeaseDurationSeconds = 40;

  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(10000)
  maxPods = 110;

  /**
   * The api-server's node-token key (`<api-server data dir>/node-token.key`): each simulated node
   * then authenticates as itself, `system:node:<name>`, and the kubeconfig's user only fills the
   * shared informers. Absent: every request uses the kubeconfig's user.
   */
  @IsOptional()
  @IsString()
  @MinLength(1)
  nodeTokenKeyFile?: string;

  /** Extra node labels `key=value,…` (kubelet `--node-labels`). */
  @IsString()
  nodeLabels = '';

  /** Simulation: how long pulling an image not yet on the node takes. */
  @IsGoDuration()
  imagePullDuration = '500ms';

  /** Simulation: how long containers take to stop after SIGTERM (capped by the grace period). */
  @IsGoDuration()
  containerStopDuration = '500ms';
}
