import { parseDuration } from '@app/common';
import type { KubeSchedulerConfig } from '@app/config';
import { leaderElectionSettingsOf, type LeaderElectionSettings } from '@app/controller-runtime';
import { readSchedulerConfiguration } from './scheduler-configuration';

/** The configuration with durations in milliseconds and `--config` applied. */
export interface SchedulerSettings {
  kubeconfig: string | undefined;
  schedulerName: string;
  percentageOfNodesToScore: number;
  podInitialBackoffMs: number;
  podMaxBackoffMs: number;
  maxInUnschedulableMs: number;
  election: LeaderElectionSettings;
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
    election: leaderElectionSettingsOf(config),
  };
}
