import { parseDuration } from '@app/common';
import type { CloudControllerManagerConfig } from '@app/config';
import { parseFeatureGates, type FeatureGates } from './feature-gates';

/** The config with durations in milliseconds: what the controllers read. */
export interface CcmSettings {
  clusterName: string;
  clusterCidr: string;
  allocateNodeCidrs: boolean;
  controllers: string[];
  nodeMonitorPeriodMs: number;
  routeReconciliationPeriodMs: number;
  nodeStatusUpdateFrequencyMs: number;
  concurrentServiceSyncs: number;
  concurrentNodeSyncs: number;
  configureCloudRoutes: boolean;
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  leaseName: string;
  leaseNamespace: string;
  featureGates: FeatureGates;
  /** `--volume-addons`: create the CSIDriver and the Nimbus StorageClasses if missing. */
  volumeAddons: boolean;
}

export function settingsOf(config: CloudControllerManagerConfig): CcmSettings {
  return {
    clusterName: config.clusterName,
    clusterCidr: config.clusterCidr,
    allocateNodeCidrs: config.allocateNodeCidrs,
    controllers: config.controllers,
    nodeMonitorPeriodMs: parseDuration(config.nodeMonitorPeriod, '--node-monitor-period'),
    routeReconciliationPeriodMs: parseDuration(
      config.routeReconciliationPeriod,
      '--route-reconciliation-period',
    ),
    nodeStatusUpdateFrequencyMs: parseDuration(
      config.nodeStatusUpdateFrequency,
      '--node-status-update-frequency',
    ),
    concurrentServiceSyncs: config.concurrentServiceSyncs,
    concurrentNodeSyncs: config.concurrentNodeSyncs,
    configureCloudRoutes: config.configureCloudRoutes,
    leaderElect: config.leaderElect,
    leaseDurationMs: parseDuration(
      config.leaderElectLeaseDuration,
      '--leader-elect-lease-duration',
    ),
    renewDeadlineMs: parseDuration(
      config.leaderElectRenewDeadline,
      '--leader-elect-renew-deadline',
    ),
    retryPeriodMs: parseDuration(config.leaderElectRetryPeriod, '--leader-elect-retry-period'),
    leaseName: config.leaderElectResourceName,
    leaseNamespace: config.leaderElectResourceNamespace,
    featureGates: parseFeatureGates(config.featureGates),
    volumeAddons: config.volumeAddons,
  };
}
