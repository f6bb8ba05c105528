import { kubeletConditions } from '@app/testing';

/**
 * A Node exactly as a simulated kubelet registers it with `--cloud-provider=external`
 * (cluster-simulation.md §2.1–2.2): default labels, the attach-detach annotation, the uninitialized
 * taint, capacity/allocatable (memory − 100Mi, ephemeral storage − 10 %), the four conditions with
 * the kubelet's reasons, nodeInfo and daemonEndpoints. `initialized` adds what the CCM writes
 * (providerID, instance-type/zone/region labels, addresses) and removes the taint.
 */
export interface KubeletNodeOptions {
  cpu?: string;
  /** Capacity in Ki. */
  memoryKi?: number;
  pods?: number;
  initialized?: boolean;
  zone?: string;
  region?: string;
  instanceType?: string;
  address?: string;
  images?: { names: string[]; sizeBytes: number }[];
}

const KUBELET_VERSION = 'v1.32.3';

export function kubeletNode(
  name: string,
  options: KubeletNodeOptions = {},
): Record<string, unknown> {
  const memoryKi = options.memoryKi ?? 16_369_188;
  const storageKi = 101_430_960;
  const zone = options.zone ?? 'nimbus-1a';
  const region = options.region ?? 'nimbus-1';
  const instanceType = options.instanceType ?? 'nb.large';
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const resources = (memory: string, storage: string) => ({
    cpu: options.cpu ?? '4',
    memory,
    'ephemeral-storage': storage,
    pods: String(options.pods ?? 110),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
  });
  const labels: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
  if (options.initialized) {
    Object.assign(labels, {
      'beta.kubernetes.io/instance-type': instanceType,
      'failure-domain.beta.kubernetes.io/region': region,
      'failure-domain.beta.kubernetes.io/zone': zone,
      'node.kubernetes.io/instance-type': instanceType,
      'topology.kubernetes.io/region': region,
      'topology.kubernetes.io/zone': zone,
    });
  }
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      name,
      labels,
      annotations: {
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
        'node.alpha.kubernetes.io/ttl': '0',
      },
    },
    spec: options.initialized
      ? { providerID: `nimbus://default/${zone}/i-${name}` }
      : {
          taints: [
            {
              key: 'node.cloudprovider.kubernetes.io/uninitialized',
              value: 'true',
              effect: 'NoSchedule',
            },
          ],
        },
    status: {
      capacity: resources(`${memoryKi}Ki`, `${storageKi}Ki`),
      allocatable: resources(`${memoryKi - 102_400}Ki`, String(Math.floor(storageKi * 1024 * 0.9))),
      conditions: kubeletConditions(true, now),
      ...(options.initialized
        ? {
            addresses: [
              { type: 'InternalIP', address: options.address ?? '10.0.1.5' },
              { type: 'Hostname', address: name },
            ],
          }
        : {}),
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: `boot-${name}`,
        containerRuntimeVersion: 'containerd://1.7.22',
        kernelVersion: '6.8.0-45-generic',
        kubeProxyVersion: KUBELET_VERSION,
        kubeletVersion: KUBELET_VERSION,
        machineID: '0'.repeat(32),
        operatingSystem: 'linux',
        osImage: 'Ubuntu 24.04.1 LTS',
        systemUUID: `uuid-${name}`,
      },
      ...(options.images ? { images: options.images } : {}),
    },
  };
}
