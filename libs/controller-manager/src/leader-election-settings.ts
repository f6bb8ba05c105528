import { parseDuration } from '@app/common';
import type { ControllerManagerFlags } from '@app/config';
import { KubeLeaseLock, type KubeConfig } from '@app/kube-client';
import type { ControllerManagerProcessOptions } from './controller-manager-process';

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

/**
 * The process options both controller managers derive from their flags: the health server on
 * `--bind-address:--secure-port` (off at -1, any free port at 0) and, with `--leader-elect`,
 * the election on `--leader-elect-resource-*`.
 */
export function processWiringOf(
  config: Pick<ControllerManagerFlags, 'bindAddress' | 'securePort'>,
  settings: LeaderElectionFlagSettings,
  kubeConfig: KubeConfig,
  identity: string,
  releaseOnCancel: boolean,
): Pick<ControllerManagerProcessOptions, 'health' | 'leaderElection'> {
  return {
    health:
      config.securePort >= 0
        ? { bindAddress: config.bindAddress, port: config.securePort }
        : undefined,
    leaderElection: settings.leaderElect
      ? {
          lock: new KubeLeaseLock(
            kubeConfig,
            settings.leaseNamespace,
            settings.leaseName,
            identity,
          ),
          leaseDurationMs: settings.leaseDurationMs,
          renewDeadlineMs: settings.renewDeadlineMs,
          retryPeriodMs: settings.retryPeriodMs,
          releaseOnCancel,
        }
      : undefined,
  };
}
