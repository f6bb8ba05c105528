import { parseDuration } from '@app/common';
import type { KubeSchedulerConfig } from '@app/config';
import { readSchedulerConfiguration } from './scheduler-configuration';

/** The configuration with durations in milliseconds and `--config` applied. */
export interface SchedulerSettings {
  kubeconfig: string | undefined;
  schedulerName: string;
  percentageOfNodesToScore: number;
  podInitialBackoffMs: number;
  podMaxBackoffMs: number;
  maxInUnschedulableMs: number;
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  leaseName: string;
  leaseNamespace: string;
}

export function settingsOf(config: KubeSchedulerConfig): SchedulerSettings {
  const file = config.config ? readSchedulerConfiguration(config.config) : {};
  return {
    kubeconfig: config.kubeconfig ?? file.kubeconfig,
    schedulerName: file.schedulerName ?? config.schedulerName,
    percentageOfNodesToScore: file.percentageOfNodesToScore ?? config.percentageOfNodesToScore,
    podInitialBackoffMs: (file.podInitialBackoffSeconds ?? config.podInitialBackoffSeconds) * 1000,
    podMaxBackoffMs: (file.podMaxBackoffSeconds ?? config.podMaxBackoffSeconds) * 1000,
    maxInUnschedulableMs: parseDuration(
      config.podMaxInUnschedulablePodsDuration,
      'podMaxInUnschedulablePodsDuration',
    ),
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
  };
}
