import { parseDuration } from '@app/common';
import type { CloudControllerManagerConfig } from '@app/config';
import { leaderElectionSettingsOf, type LeaderElectionSettings } from '@app/controller-runtime';
import { parseFeatureGates, type FeatureGates } from './feature-gates';

/** The config with durations in milliseconds: what the controllers read. */
export interface CcmSettings extends LeaderElectionSettings {
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
  featureGates: FeatureGates;
  /** Nimbus node adoption (`--adopt-nodes` and friends; src/adoption/). */
  adoptNodes: boolean;
  adoptZone: string;
  adoptInstanceType: string;
  deleteAdoptedNodes: boolean;
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
    ...leaderElectionSettingsOf(config),
    featureGates: parseFeatureGates(config.featureGates),
    adoptNodes: config.adoptNodes,
    adoptZone: config.adoptZone,
    adoptInstanceType: config.adoptInstanceType,
    deleteAdoptedNodes: config.deleteAdoptedNodes,
    volumeAddons: config.volumeAddons,
  };
}
