import { Command } from 'commander';
import pino from 'pino';
import { KubeSchedulerConfig, nimbusOption, validateConfig } from '@app/config';
import { runUntilSignal } from '../shutdown';
import { addControlPlaneOptions } from './control-plane-options';

/** Options of `nimbus scheduler` (upstream kube-scheduler flag names and defaults). */
export function addSchedulerOptions(command: Command): Command {
  return addControlPlaneOptions(
    command.addOption(
      nimbusOption(
        '--config <file>',
        'KubeSchedulerConfiguration (percentageOfNodesToScore, pod backoff, profile schedulerName)',
      ),
    ),
    { leaseName: 'kube-scheduler', securePort: 10259 },
  );
}

/** `nimbus scheduler`: kube-scheduler against a kube-apiserver. */
export function schedulerCommand(): Command {
  return addSchedulerOptions(
    new Command('scheduler').description(
      'Run kube-scheduler (default plugins, preemption, events, leader election)',
    ),
  ).action(async (options: Record<string, unknown>) => {
    const config = validateConfig(KubeSchedulerConfig, options);
    const logger = pino({ level: config.logLevel, name: 'kube-scheduler' });
    // Loaded when the command runs: `nimbus <other command>` need not load this app.
    const { startKubeScheduler } = await import('../../../kube-scheduler/src');
    const scheduler = await startKubeScheduler(config, { logger });
    logger.info(
      { identity: scheduler.identity, health: scheduler.healthUrl },
      'kube-scheduler started',
    );
    await runUntilSignal(scheduler);
  });
}
