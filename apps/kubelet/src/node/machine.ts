import { createHash } from 'node:crypto';
import type { InstanceDto, InstanceTypeDto } from '@app/cloud-contracts';
import {
  CONTAINER_RUNTIME_VERSION,
  KERNEL_VERSION,
  KUBELET_VERSION,
  KUBE_PROXY_VERSION,
  OS_IMAGE,
} from '../versions';

/** The machine a simulated kubelet runs on: a cloud instance and its instance type. */
export interface Machine {
  instanceId: string;
  /** The node name: the instance's hostname, lowercased (as the kubelet defaults it). */
  nodeName: string;
  privateIp: string;
  architecture: string;
  vcpus: number;
  memoryMiB: number;
}

export function machineOf(instance: InstanceDto, type: InstanceTypeDto | undefined): Machine {
  return {
    instanceId: instance.id,
    nodeName: (instance.hostname || instance.name).toLowerCase(),
    privateIp: instance.privateIp,
    architecture: type?.architecture ?? 'amd64',
    vcpus: type?.vcpus ?? 2,
    memoryMiB: type?.memoryMiB ?? 4096,
  };
}

/** Root disk of every simulated node (the reference kubelet's 100 GiB-class disk). */
const ROOT_FS_KI = 101_430_960;
/** evictionHard memory.available default. */
const EVICTION_MEMORY_KI = 100 * 1024;
/** evictionHard nodefs.available default (10 %). */
const EVICTION_NODEFS_FRACTION = 0.1;
/** MemTotal is a little below the instance's nominal memory (kernel and firmware keep some). */
const MEMTOTAL_FRACTION = 0.976;

/** `status.capacity` / `status.allocatable` (MachineInfo setter, no kube/system reservations). */
export function resourcesOf(
  machine: Machine,
  maxPods: number,
): { capacity: Record<string, string>; allocatable: Record<string, string> } {
  const memKi = Math.floor(machine.memoryMiB * 1024 * MEMTOTAL_FRACTION);
  const capacity = {
    cpu: String(machine.vcpus),
    'ephemeral-storage': `${ROOT_FS_KI}Ki`,
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${memKi}Ki`,
    pods: String(maxPods),
  };
  const allocatable = {
    cpu: String(machine.vcpus),
    'ephemeral-storage': String(Math.floor(ROOT_FS_KI * 1024 * (1 - EVICTION_NODEFS_FRACTION))),
    'hugepages-1Gi': '0',
    'hugepages-2Mi': '0',
    memory: `${memKi - EVICTION_MEMORY_KI}Ki`,
    pods: String(maxPods),
  };
  return { capacity, allocatable };
}

function hex(seed: string, length: number): string {
  return createHash('sha256').update(seed).digest('hex').slice(0, length);
}

/** A UUID derived from a seed (stable machine identity). */
function uuidFrom(seed: string): string {
  const h = hex(seed, 32);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `status.nodeInfo` (VersionInfo + MachineInfo setters); the boot ID changes on every boot. */
export function nodeInfoOf(machine: Machine, bootId: string): Record<string, string> {
  return {
    architecture: machine.architecture,
    bootID: bootId,
    containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
    kernelVersion: KERNEL_VERSION,
    kubeProxyVersion: KUBE_PROXY_VERSION,
    kubeletVersion: KUBELET_VERSION,
    machineID: hex(`machine-id:${machine.instanceId}`, 32),
    operatingSystem: 'linux',
    osImage: OS_IMAGE,
    systemUUID: uuidFrom(`system-uuid:${machine.instanceId}`),
  };
}

/** `status.runtimeHandlers` as containerd 1.7 reports them (1.30+). */
export const RUNTIME_HANDLERS = [
  { name: '', features: { recursiveReadOnlyMounts: true, userNamespaces: false } },
  { name: 'runc', features: { recursiveReadOnlyMounts: true, userNamespaces: false } },
];
