import { DomainError } from '@app/common';
import type { InstanceState } from '@app/cloud-contracts';
import { planInstanceAction, type InstanceAction } from './instance-state-machine';
import { thrownBy } from '@app/testing';

describe('planInstanceAction', () => {
  it.each<[InstanceAction, InstanceState, string, string]>([
    ['stop', 'running', 'stopping', 'stopped'],
    ['start', 'stopped', 'pending', 'running'],
    ['terminate', 'running', 'shutting-down', 'terminated'],
    ['terminate', 'pending', 'shutting-down', 'terminated'],
    ['terminate', 'stopped', 'shutting-down', 'terminated'],
    ['terminate', 'stopping', 'shutting-down', 'terminated'],
  ])('should %s a %s instance through %s to %s', (action, from, via, to) => {
    expect(planInstanceAction(action, from)).toMatchObject({
      kind: 'transition',
      state: via,
      nextState: to,
    });
  });

  it.each<[InstanceAction, InstanceState]>([
    ['stop', 'stopped'],
    ['stop', 'stopping'],
    ['start', 'running'],
    ['start', 'pending'],
    ['terminate', 'terminated'],
    ['terminate', 'shutting-down'],
  ])('should treat %s on a %s instance as an idempotent no-op', (action, from) => {
    expect(planInstanceAction(action, from)).toEqual({ kind: 'noop' });
  });

  it('should reboot only running instances, keeping the state', () => {
    expect(planInstanceAction('reboot', 'running')).toEqual({
      kind: 'reboot',
      durationKey: 'rebooting',
    });
  });

  it.each<[InstanceAction, InstanceState]>([
    ['stop', 'pending'],
    ['start', 'stopping'],
    ['reboot', 'stopped'],
    ['reboot', 'pending'],
    ['start', 'terminated'],
    ['stop', 'shutting-down'],
  ])('should refuse %s on a %s instance with FAILED_PRECONDITION', (action, from) => {
    const error = thrownBy(() => planInstanceAction(action, from));
    expect(error).toBeInstanceOf(DomainError);
    expect((error as DomainError).code).toBe('FAILED_PRECONDITION');
    expect((error as DomainError).message).toContain(from);
  });
});
