import {
  NETWORK_NOT_READY_MESSAGE,
  conditionsChanged,
  kubeletNodeConditions,
} from './node-conditions';

const T0 = Date.UTC(2026, 0, 1);
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

describe('kubelet node conditions', () => {
  it('first registration: pressure conditions healthy (with their events), Ready False until the network is up', () => {
    const { conditions, events } = kubeletNodeConditions(undefined, false, T0);
    expect(conditions.map((c) => [c.type, c.status, c.reason])).toEqual([
      ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'],
      ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
      ['PIDPressure', 'False', 'KubeletHasSufficientPID'],
      ['Ready', 'False', 'KubeletNotReady'],
    ]);
    expect(conditions[3].message).toBe(NETWORK_NOT_READY_MESSAGE);
    expect(events).toEqual([
      'NodeHasSufficientMemory',
      'NodeHasNoDiskPressure',
      'NodeHasSufficientPID',
    ]);
  });

  it('Ready turns True with NodeReady; heartbeats move, transitions only on change', () => {
    const first = kubeletNodeConditions(undefined, false, T0).conditions;
    const second = kubeletNodeConditions(first, true, T0 + 10_000);
    expect(second.events).toEqual(['NodeReady']);
    const ready = second.conditions.find((c) => c.type === 'Ready')!;
    expect(ready).toEqual(
      expect.objectContaining({
        status: 'True',
        reason: 'KubeletReady',
        message: 'kubelet is posting ready status',
        lastHeartbeatTime: at(T0 + 10_000),
        lastTransitionTime: at(T0 + 10_000),
      }),
    );
    const memory = second.conditions[0];
    expect(memory.lastTransitionTime).toBe(at(T0));
    expect(memory.lastHeartbeatTime).toBe(at(T0 + 10_000));
    const third = kubeletNodeConditions(second.conditions, true, T0 + 20_000);
    expect(third.events).toEqual([]);
    expect(conditionsChanged(second.conditions, third.conditions)).toBe(false);
    expect(conditionsChanged(first, second.conditions)).toBe(true);
  });

  it('after the node controller marked it Unknown, the kubelet reports healthy again (with events)', () => {
    const healthy = kubeletNodeConditions(
      kubeletNodeConditions(undefined, true, T0).conditions,
      true,
      T0,
    ).conditions;
    const unknown = healthy.map((c) => ({ ...c, status: 'Unknown', reason: 'NodeStatusUnknown' }));
    const back = kubeletNodeConditions(
      [...unknown, { type: 'NetworkUnavailable', status: 'False', reason: 'RouteCreated' }],
      true,
      T0 + 600_000,
    );
    expect(back.events).toEqual([
      'NodeHasSufficientMemory',
      'NodeHasNoDiskPressure',
      'NodeHasSufficientPID',
      'NodeReady',
    ]);
    // Conditions the kubelet does not own stay.
    expect(back.conditions.map((c) => c.type)).toEqual([
      'MemoryPressure',
      'DiskPressure',
      'PIDPressure',
      'Ready',
      'NetworkUnavailable',
    ]);
  });
});
