import { parseDuration } from '@app/common';
import type { ControllerManagerFlags } from '@app/config';

/** The leader-election flags in milliseconds (what LeaderElector takes). */
export interface LeaderElectionFlagSettings {
  leaderElect: boolean;
  leaseDurationMs: number;
  renewDeadlineMs: number;
  retryPeriodMs: number;
  leaseName: string;
  leaseNamespace: string;
}

export function leaderElectionSettingsOf(
  config: ControllerManagerFlags,
): LeaderElectionFlagSettings {
  return {
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
