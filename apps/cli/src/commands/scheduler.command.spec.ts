import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { KubeSchedulerConfig, validateConfig } from '@app/config';
import { settingsOf } from '../../../kube-scheduler/src/settings';
import { addSchedulerOptions } from './scheduler.command';

/** Parses `argv` with the `nimbus scheduler` options into the validated settings (no action). */
function parse(argv: string[]) {
  const command = addSchedulerOptions(new Command('scheduler')).exitOverride();
  command.parse(argv, { from: 'user' });
  return settingsOf(validateConfig(KubeSchedulerConfig, command.opts()));
}

describe('nimbus scheduler options', () => {
  let dir: string;
  beforeAll(() => (dir = mkdtempSync(join(tmpdir(), 'nimbus-scheduler-config-'))));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const file = (name: string, text: string) => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('has the upstream defaults', () => {
    expect(parse([])).toEqual({
      kubeconfig: undefined,
      schedulerName: 'default-scheduler',
      percentageOfNodesToScore: 0,
      podInitialBackoffMs: 1000,
      podMaxBackoffMs: 10_000,
      maxInUnschedulableMs: 300_000,
      election: {
        leaderElect: true,
        leaseDurationMs: 15_000,
        renewDeadlineMs: 10_000,
        retryPeriodMs: 2_000,
        leaseName: 'kube-scheduler',
        leaseNamespace: 'kube-system',
      },
    });
  });

  it('reads upstream flag values', () => {
    expect(
      parse(['--leader-elect=false', '--leader-elect-retry-period=500ms', '--kubeconfig=/k']),
    ).toMatchObject({
      election: { leaderElect: false, retryPeriodMs: 500 },
      kubeconfig: '/k',
    });
  });

  it('applies a KubeSchedulerConfiguration file', () => {
    const path = file(
      'ok.yaml',
      [
        'apiVersion: kubescheduler.config.k8s.io/v1',
        'kind: KubeSchedulerConfiguration',
        'percentageOfNodesToScore: 20',
        'podInitialBackoffSeconds: 2',
        'podMaxBackoffSeconds: 30',
        'clientConnection:',
        '  kubeconfig: /etc/kube/scheduler.conf',
        'profiles:',
        '- schedulerName: my-scheduler',
      ].join('\n'),
    );
    expect(parse([`--config=${path}`])).toMatchObject({
      kubeconfig: '/etc/kube/scheduler.conf',
      schedulerName: 'my-scheduler',
      percentageOfNodesToScore: 20,
      podInitialBackoffMs: 2000,
      podMaxBackoffMs: 30_000,
    });
  });

  it('refuses unknown fields and plugin configuration, naming them', () => {
    const head = 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\n';
    expect(() => parse([`--config=${file('a.yaml', `${head}bogus: 1\n`)}`])).toThrow(
      '--config: strict decoding error: unknown field "bogus"',
    );
    expect(() =>
      parse([`--config=${file('b.yaml', `${head}profiles:\n- plugins: {}\n`)}`]),
    ).toThrow('--config: profiles[0].plugins is not supported');
    expect(() =>
      parse([`--config=${file('c.yaml', `${head}percentageOfNodesToScore: 101\n`)}`]),
    ).toThrow('percentageOfNodesToScore must be an integer from 0 to 100');
    expect(() => parse([`--config=${file('d.yaml', 'kind: Other\n')}`])).toThrow(
      /expected apiVersion kubescheduler.config.k8s.io\/v1/,
    );
  });

  it('refuses a bad duration naming the flag', () => {
    expect(() => parse(['--leader-elect-lease-duration=soon'])).toThrow(
      /--leader-elect-lease-duration/,
    );
  });
});
