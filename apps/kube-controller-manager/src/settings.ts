import { readFileSync } from 'node:fs';
import { parseDuration } from '@app/common';
import { ConfigError, type KubeControllerManagerConfig } from '@app/config';
import { leaderElectionSettingsOf, type LeaderElectionSettings } from '@app/controller-runtime';

/** The config with durations in milliseconds: what the controllers read. */
export interface KcmSettings extends LeaderElectionSettings {
  controllers: string[];
  clusterName: string;
  clusterCidr: string;
  allocateNodeCidrs: boolean;
  cidrAllocatorType: string;
  nodeCidrMaskSize: number;
  nodeCidrMaskSizeIpv4: number;
  nodeCidrMaskSizeIpv6: number;
  serviceClusterIpRange: string;
  nodeMonitorPeriodMs: number;
  nodeMonitorGracePeriodMs: number;
  nodeStartupGracePeriodMs: number;
  nodeEvictionRate: number;
  secondaryNodeEvictionRate: number;
  largeClusterSizeThreshold: number;
  unhealthyZoneThreshold: number;
  terminatedPodGcThreshold: number;
  horizontalPodAutoscalerSyncPeriodMs: number;
  horizontalPodAutoscalerDownscaleStabilizationMs: number;
  horizontalPodAutoscalerTolerance: number;
  horizontalPodAutoscalerCpuInitializationPeriodMs: number;
  horizontalPodAutoscalerInitialReadinessDelayMs: number;
  concurrentResourceQuotaSyncs: number;
  resourceQuotaSyncPeriodMs: number;
  /** PEM published as `kube-root-ca.crt` (undefined: the kubeconfig's CA is used). */
  rootCa?: string;
}

export function settingsOf(config: KubeControllerManagerConfig): KcmSettings {
  return {
    controllers: config.controllers,
    clusterName: config.clusterName,
    clusterCidr: config.clusterCidr,
    allocateNodeCidrs: config.allocateNodeCidrs,
    cidrAllocatorType: config.cidrAllocatorType,
    nodeCidrMaskSize: config.nodeCidrMaskSize,
    nodeCidrMaskSizeIpv4: config.nodeCidrMaskSizeIpv4,
    nodeCidrMaskSizeIpv6: config.nodeCidrMaskSizeIpv6,
    serviceClusterIpRange: config.serviceClusterIpRange,
    nodeMonitorPeriodMs: parseDuration(config.nodeMonitorPeriod, '--node-monitor-period'),
    nodeMonitorGracePeriodMs: parseDuration(
      config.nodeMonitorGracePeriod,
      '--node-monitor-grace-period',
    ),
    nodeStartupGracePeriodMs: parseDuration(
      config.nodeStartupGracePeriod,
      '--node-startup-grace-period',
    ),
    nodeEvictionRate: config.nodeEvictionRate,
    secondaryNodeEvictionRate: config.secondaryNodeEvictionRate,
    largeClusterSizeThreshold: config.largeClusterSizeThreshold,
    unhealthyZoneThreshold: config.unhealthyZoneThreshold,
    terminatedPodGcThreshold: config.terminatedPodGcThreshold,
    horizontalPodAutoscalerSyncPeriodMs: parseDuration(
      config.horizontalPodAutoscalerSyncPeriod,
      '--horizontal-pod-autoscaler-sync-period',
    ),
    horizontalPodAutoscalerDownscaleStabilizationMs: parseDuration(
      config.horizontalPodAutoscalerDownscaleStabilization,
      '--horizontal-pod-autoscaler-downscale-stabilization',
    ),
    horizontalPodAutoscalerTolerance: config.horizontalPodAutoscalerTolerance,
    horizontalPodAutoscalerCpuInitializationPeriodMs: parseDuration(
      config.horizontalPodAutoscalerCpuInitializationPeriod,
      '--horizontal-pod-autoscaler-cpu-initialization-period',
    ),
    horizontalPodAutoscalerInitialReadinessDelayMs: parseDuration(
      config.horizontalPodAutoscalerInitialReadinessDelay,
      '--horizontal-pod-autoscaler-initial-readiness-delay',
    ),
    concurrentResourceQuotaSyncs: config.concurrentResourceQuotaSyncs,
    resourceQuotaSyncPeriodMs: parseDuration(
      config.resourceQuotaSyncPeriod,
      '--resource-quota-sync-period',
    ),
    rootCa: config.rootCaFile ? readRootCa(config.rootCaFile) : undefined,
    ...leaderElectionSettingsOf(config),
  };
}

function readRootCa(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError(`--root-ca-file: cannot read ${path}: ${(error as Error).message}`);
  }
}
