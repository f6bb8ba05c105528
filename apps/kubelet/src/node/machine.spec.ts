import { nodeInfoOf, resourcesOf, type Machine } from './machine';

const machine: Machine = {
  instanceId: 'i-0123',
  nodeName: 'worker-1',
  privateIp: '10.0.0.4',
  architecture: 'amd64',
  vcpus: 4,
  memoryMiB: 16384,
};

describe('node machine info', () => {
  it('allocatable = capacity minus the default hard evictions (100Mi memory, 10% nodefs)', () => {
    const { capacity, allocatable } = resourcesOf(machine, 110);
    expect(capacity).toEqual({
      cpu: '4',
      'ephemeral-storage': '101430960Ki',
      'hugepages-1Gi': '0',
      'hugepages-2Mi': '0',
      memory: '16374562Ki',
      pods: '110',
    });
    expect(
      Number(/\d+/.exec(capacity.memory)![0]) - Number(/\d+/.exec(allocatable.memory)![0]),
    ).toBe(102_400);
    expect(allocatable['ephemeral-storage']).toBe(String(Math.floor(101_430_960 * 1024 * 0.9)));
    expect(allocatable.pods).toBe('110');
  });

  it('reports a stable machine identity and the boot it is given', () => {
    const info = nodeInfoOf(machine, 'boot-1');
    expect(info).toEqual(
      expect.objectContaining({
        bootID: 'boot-1',
        containerRuntimeVersion: 'containerd://1.7.22',
        kubeletVersion: 'v1.32.0',
        kubeProxyVersion: 'v1.32.0',
        operatingSystem: 'linux',
        architecture: 'amd64',
      }),
    );
    expect(info.machineID).toMatch(/^[0-9a-f]{32}$/);
    expect(info.systemUUID).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(nodeInfoOf(machine, 'boot-2').machineID).toBe(info.machineID);
  });
});
