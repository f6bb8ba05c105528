import { StorageV1Api, type V1Node, type V1NodeAddress, type V1Taint } from '@app/kube-client';
import { kubeletConditions } from '@app/testing';
import type { CcmHarness } from '../harness';

/**
 * Registers Nodes the way a real kubelet (and kubeadm / the tool around it) does, so the adoption
 * scenarios see what a CCM sees on a kind, minikube or k3s cluster: the object a kubelet POSTs
 * (labels, annotations, taints, providerID), then the status it reports (addresses, conditions,
 * capacity, nodeInfo), then what kube-controller-manager adds (pod CIDRs). Sources per tool in the
 * fixtures (real-clusters.md §3.3, §4.2, §5). The kubelet also creates the node's CSINode.
 */
export interface KubeletNode {
  name: string;
  /** The kubelet's `--node-ip` (annotation `alpha.kubernetes.io/provided-node-ip` when external). */
  nodeIP: string;
  /** Registered with `--cloud-provider=external` (uninitialized taint + provided-node-ip). */
  external: boolean;
  providerID?: string;
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  /** Besides the uninitialized taint (control-plane taints). */
  taints?: V1Taint[];
  podCIDR?: string;
  ready: boolean;
  nodeInfo: { osImage: string; containerRuntimeVersion: string; kubeletVersion: string };
  /** Addresses the kubelet reports; default InternalIP = node IP and Hostname = name. */
  addresses?: V1NodeAddress[];
}

export const UNINITIALIZED: V1Taint = {
  key: 'node.cloudprovider.kubernetes.io/uninitialized',
  value: 'true',
  effect: 'NoSchedule',
};
export const CONTROL_PLANE_TAINT: V1Taint = {
  key: 'node-role.kubernetes.io/control-plane',
  effect: 'NoSchedule',
};
export const EXCLUDE_FROM_LB = 'node.kubernetes.io/exclude-from-external-load-balancers';
/** What a 1.32 kubelet writes on its CSINode: the in-tree plugins migrated to CSI drivers. */
const MIGRATED_PLUGINS =
  'kubernetes.io/aws-ebs,kubernetes.io/azure-disk,kubernetes.io/azure-file,kubernetes.io/cinder,kubernetes.io/gce-pd,kubernetes.io/portworx-volume,kubernetes.io/vsphere-volume';

/** The labels every kubelet sets on itself (kubelet_node_status.go). */
export function kubeletLabels(name: string): Record<string, string> {
  return {
    'beta.kubernetes.io/arch': 'amd64',
    'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64',
    'kubernetes.io/hostname': name,
    'kubernetes.io/os': 'linux',
  };
}

export async function registerNode(h: CcmHarness, spec: KubeletNode): Promise<V1Node> {
  const annotations: Record<string, string> = {
    'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
    ...spec.annotations,
  };
  if (spec.external) {
    annotations['alpha.kubernetes.io/provided-node-ip'] = spec.nodeIP;
  }
  const taints = [...(spec.external ? [UNINITIALIZED] : []), ...(spec.taints ?? [])];
  await h.core.createNode({
    body: {
      metadata: { name: spec.name, labels: spec.labels, annotations },
      spec: {
        ...(spec.providerID ? { providerID: spec.providerID } : {}),
        ...(taints.length > 0 ? { taints } : {}),
      },
    },
  });
  const now = new Date();
  await h.patchNodeStatus(spec.name, {
    addresses: spec.addresses ?? [
      { type: 'InternalIP', address: spec.nodeIP },
      { type: 'Hostname', address: spec.name },
    ],
    capacity: { cpu: '4', memory: '16331540Ki', pods: '110', 'ephemeral-storage': '102626232Ki' },
    allocatable: {
      cpu: '4',
      memory: '16331540Ki',
      pods: '110',
      'ephemeral-storage': '102626232Ki',
    },
    conditions: kubeletConditions(spec.ready, now),
    nodeInfo: {
      architecture: 'amd64',
      operatingSystem: 'linux',
      kernelVersion: '6.8.0-60-generic',
      kubeProxyVersion: spec.nodeInfo.kubeletVersion,
      machineID: '',
      systemUUID: '',
      bootID: '',
      ...spec.nodeInfo,
    },
  });
  // The kubelet's CSI plugin manager creates the node's CSINode (no drivers yet) at start-up.
  const node = (await h.getNode(spec.name))!;
  await h.kubeConfig.makeApiClient(StorageV1Api).createCSINode({
    body: {
      metadata: {
        name: spec.name,
        annotations: { 'storage.alpha.kubernetes.io/migrated-plugins': MIGRATED_PLUGINS },
        ownerReferences: [
          { apiVersion: 'v1', kind: 'Node', name: spec.name, uid: node.metadata!.uid! },
        ],
      },
      spec: { drivers: [] },
    },
  });
  if (spec.podCIDR) {
    // kube-controller-manager's node-ipam controller (kind, minikube and k3s all run it).
    await h.patchNode(spec.name, { spec: { podCIDR: spec.podCIDR, podCIDRs: [spec.podCIDR] } });
  }
  return (await h.getNode(spec.name))!;
}

/** The kubelet's Ready heartbeat (or KCM marking it Unknown once the kubelet stops). */
export function setReady(h: CcmHarness, name: string, status: 'True' | 'False' | 'Unknown') {
  return h.setReady(name, status);
}
