import { Transform, Type } from 'class-transformer';
import { IsBoolean, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { withCloudClientFlags } from './cloud-client-flags';
import { ControllerManagerFlags } from './component-flags';
import { DURATION, DURATION_MESSAGE, toBoolean } from './flag-formats';

/**
 * Validated configuration of `nimbus ccm` (upstream cloud-controller-manager flag names and
 * defaults, ccm-behaviour §3.1), plus Nimbus's `--kubeconfig` and the cloud client flags
 * (`--cloud-url`, `--cloud-token`, `--cloud-ca-file`, `--cloud-insecure-skip-tls-verify`).
 * Durations stay strings like the flags; `parseDuration` turns them into milliseconds. The flags
 * every controller manager shares (`--controllers`, leader election, `--secure-port`, …) come
 * from ControllerManagerFlags.
 */
export class CloudControllerManagerConfig extends withCloudClientFlags(ControllerManagerFlags) {
  leaderElectResourceName = 'cloud-controller-manager';
  securePort = 10258;

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

  /**
   * Create the CSIDriver `disk.csi.nimbus.dev` and the StorageClasses `nimbus-ssd` (default) and
   * `nimbus-standard` if missing (never overwritten), when a volume controller runs.
   */
  @Transform(toBoolean)
  @IsBoolean()
  volumeAddons = true;

  /**
   * Nimbus: the port of kube-proxy's /healthz on every node (its `--healthz-bind-address`); load
   * balancers of Services with UDP ports only are health-checked there.
   */
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(65535)
  kubeProxyHealthzPort = 10256;

  /** Zone of volumes provisioned with no topology at all (Immediate, no node); "" = first zone. */
  @IsString()
  defaultVolumeZone = '';

  /** `Name=true,Other=false` (upstream `--feature-gates`); names are checked at start-up. */
  @IsString()
  featureGates = '';

  /**
   * Nimbus: import every Node without a Nimbus providerID and without an instance (kind,
   * minikube, k3s nodes) into the cloud (`POST /v1/instances:import`), then serve it as usual.
   */
  @Transform(toBoolean)
  @IsBoolean()
  adoptNodes = false;

  /** Zone of adopted nodes without a `nimbus.dev/zone` label/annotation; "" = the cloud's default. */
  @IsString()
  adoptZone = '';

  /** Instance type of adopted nodes without a `nimbus.dev/instance-type` label/annotation. */
  @IsString()
  adoptInstanceType = '';

  /**
   * Nimbus: treat adopted nodes (another provider's providerID, or an imported instance) like the
   * cloud's own: NotReady + instance gone → deleted. Default false: a NotReady adopted node is
   * tainted `node.cloudprovider.kubernetes.io/shutdown`, never deleted.
   */
  @Transform(toBoolean)
  @IsBoolean()
  deleteAdoptedNodes = false;
}
