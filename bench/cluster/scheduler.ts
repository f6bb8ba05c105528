import { existsSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import * as config from '@app/config';
import { kubeConfigWithToken } from '@app/kube-client';
import type { RunningNimbus } from '../../apps/cli/src/up/start-nimbus-up';

interface SchedulerModule {
  startKubeScheduler(
    config: unknown,
    deps: Record<string, unknown>,
  ): Promise<{ close(): Promise<void> }>;
}

/**
 * Starts the kube-scheduler (apps/kube-scheduler, `startKubeScheduler(config, deps)`) against
 * the bench's cluster when that app exists, so pods are scheduled instead of bound by
 * `spec.nodeName`. Answers how to stop it; throws when the app is not there.
 */
export async function startSchedulerIfPresent(nimbus: RunningNimbus): Promise<() => Promise<void>> {
  const entry = join(__dirname, '..', '..', 'apps', 'kube-scheduler', 'src', 'index.ts');
  if (!existsSync(entry)) {
    throw new Error('--scheduler: apps/kube-scheduler is not in this tree yet');
  }
  const mod = (await import(entry)) as SchedulerModule;
  const configClass = (config as unknown as Record<string, new () => object>).KubeSchedulerConfig;
  const scheduler = await mod.startKubeScheduler(
    config.validateConfig(configClass, {
      leaderElect: 'false',
      securePort: '-1',
      logLevel: 'silent',
    }),
    {
      clock: nimbus.clock,
      logger: pino({ level: 'silent' }),
      kubeConfig: kubeConfigWithToken(
        nimbus.apiserver.kubeconfigPath,
        nimbus.apiserver.tokenFor('system:kube-scheduler') ?? nimbus.apiserver.adminToken,
        'system:kube-scheduler',
      ),
    },
  );
  return () => scheduler.close();
}
