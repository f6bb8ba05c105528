import { failedPrecondition, type DomainError } from '@app/common';
import type { InstanceState } from '@app/cloud-contracts';

export type InstanceAction = 'stop' | 'start' | 'reboot' | 'terminate';

/**
 * What an action does from a state:
 * - `transition`: enter `state` and settle into `nextState` after the `durationKey` duration;
 * - `reboot`: the state stays `running`; only the operation takes time;
 * - `noop`: already there or on the way (idempotent, as EC2 answers StopInstances on a stopped instance).
 */
export type ActionPlan =
  | { kind: 'transition'; state: InstanceState; nextState: InstanceState; durationKey: string }
  | { kind: 'reboot'; durationKey: string }
  | { kind: 'noop' };

const TERMINATE: ActionPlan = {
  kind: 'transition',
  state: 'shutting-down',
  nextState: 'terminated',
  durationKey: 'shutting-down',
};

/**
 * The instance lifecycle (docs/cloud-api.md has the diagram):
 *   pending → running; running → stopping → stopped; stopped → pending → running;
 *   any → shutting-down → terminated. An instance in `error` (a failed operation) can only be
 *   terminated.
 */
export function planInstanceAction(action: InstanceAction, state: InstanceState): ActionPlan {
  if (state === 'terminated' || state === 'shutting-down') {
    if (action === 'terminate') {
      return { kind: 'noop' };
    }
    throw refuse(action, state);
  }
  if (state === 'error' && action !== 'terminate') {
    throw refuse(action, state);
  }
  switch (action) {
    case 'terminate':
      return TERMINATE;
    case 'stop':
      if (state === 'running') {
        return {
          kind: 'transition',
          state: 'stopping',
          nextState: 'stopped',
          durationKey: 'stopping',
        };
      }
      if (state === 'stopping' || state === 'stopped') {
        return { kind: 'noop' };
      }
      throw refuse(action, state);
    case 'start':
      if (state === 'stopped') {
        return {
          kind: 'transition',
          state: 'pending',
          nextState: 'running',
          durationKey: 'pending',
        };
      }
      if (state === 'pending' || state === 'running') {
        return { kind: 'noop' };
      }
      throw refuse(action, state);
    case 'reboot':
      if (state === 'running') {
        return { kind: 'reboot', durationKey: 'rebooting' };
      }
      throw refuse(action, state);
  }
}

function refuse(action: InstanceAction, state: InstanceState): DomainError {
  const hint: Record<InstanceAction, string> = {
    stop: 'only a running instance can be stopped',
    start: 'only a stopped instance can be started',
    reboot: 'only a running instance can be rebooted',
    terminate: '',
  };
  return failedPrecondition(`cannot ${action} an instance in state "${state}": ${hint[action]}`);
}
