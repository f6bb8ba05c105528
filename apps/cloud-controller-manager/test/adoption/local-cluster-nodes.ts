import {
  CONTROL_PLANE_TAINT,
  EXCLUDE_FROM_LB,
  kubeletLabels,
  type KubeletNode,
} from './kubelet-registration';

/*
 * Nodes as each tool's kubelet registers them with an external cloud provider (the recipes of
 * docs/real-clusters.md). Sources: real-clusters.md §3.3 (kind), §4.2 (minikube), §5 (k3s/k3d).
 */

const KUBERNETES = 'v1.32.5';

/**
 * `kind create cluster --config nimbus-kind.yaml` (one control plane, two workers, cluster name
 * `kind`): node names from kind's namer, `kind://docker/kind/<node>` providerIDs set by kind's
 * kubeadm config, IPs on the `kind` docker network, kubeadm's control-plane label, exclusion label
 * and taint (kept in multi-node clusters), pod CIDRs from KCM's 10.244.0.0/16.
 */
export function kindNodes(): KubeletNode[] {
  const nodeInfo = {
    osImage: 'Debian GNU/Linux 12 (bookworm)',
    containerRuntimeVersion: 'containerd://2.1.1',
    kubeletVersion: KUBERNETES,
  };
  const kubeadm = {
    'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
  };
  const node = (name: string, ip: string, podCIDR: string, controlPlane: boolean): KubeletNode => ({
    name,
    nodeIP: ip,
    external: true,
    providerID: `kind://docker/kind/${name}`,
    labels: {
      ...kubeletLabels(name),
      ...(controlPlane
        ? { 'node-role.kubernetes.io/control-plane': '', [EXCLUDE_FROM_LB]: '' }
        : {}),
    },
    annotations: { ...kubeadm, 'node.alpha.kubernetes.io/ttl': '0' },
    taints: controlPlane ? [CONTROL_PLANE_TAINT] : [],
    podCIDR,
    // kindnet tolerates every taint, so nodes turn Ready while still tainted uninitialized;
    // kind-worker2's CNI is still starting (NotReady), as right after `kind create cluster`.
    ready: name !== 'kind-worker2',
    nodeInfo,
  });
  return [
    node('kind-control-plane', '172.18.0.4', '10.244.0.0/24', true),
    node('kind-worker', '172.18.0.2', '10.244.1.0/24', false),
    node('kind-worker2', '172.18.0.3', '10.244.2.0/24', false),
  ];
}

/**
 * `minikube start --nodes 2 --extra-config=kubelet.cloud-provider=external` (docker driver):
 * names `minikube`, `minikube-m02`; the `minikube` docker network 192.168.49.0/24; minikube's
 * `minikube.k8s.io/*` labels; kubeadm's control-plane and exclusion labels on the primary (no
 * control-plane taint: minikube's primary runs workloads); no providerID.
 */
export function minikubeNodes(): KubeletNode[] {
  const nodeInfo = {
    osImage: 'Ubuntu 22.04.5 LTS',
    containerRuntimeVersion: 'docker://28.1.1',
    kubeletVersion: KUBERNETES,
  };
  const minikubeLabels = (primary: boolean) => ({
    'minikube.k8s.io/commit': 'f8f52f5de11fc6ad8244afac475e1d0f96841df1',
    'minikube.k8s.io/name': 'minikube',
    'minikube.k8s.io/primary': String(primary),
    'minikube.k8s.io/updated_at': '2026_11_26T20_00_00_0700',
    'minikube.k8s.io/version': 'v1.36.0',
  });
  return [
    {
      name: 'minikube',
      nodeIP: '192.168.49.2',
      external: true,
      labels: {
        ...kubeletLabels('minikube'),
        ...minikubeLabels(true),
        'node-role.kubernetes.io/control-plane': '',
        [EXCLUDE_FROM_LB]: '',
      },
      annotations: { 'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/cri-dockerd.sock' },
      podCIDR: '10.244.0.0/24',
      ready: true,
      nodeInfo,
    },
    {
      name: 'minikube-m02',
      nodeIP: '192.168.49.3',
      external: true,
      labels: { ...kubeletLabels('minikube-m02'), ...minikubeLabels(false) },
      annotations: { 'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///var/run/cri-dockerd.sock' },
      podCIDR: '10.244.1.0/24',
      ready: true,
      nodeInfo,
    },
  ];
}

const k3sNodeInfo = {
  osImage: 'K3s v1.32.5+k3s1',
  containerRuntimeVersion: 'containerd://2.0.5-k3s1.32',
  kubeletVersion: 'v1.32.5+k3s1',
};

/** k3s's agent annotations (nodeconfig) and flannel's, with the embedded CCM disabled. */
function k3sAnnotations(ip: string, args: string[]): Record<string, string> {
  return {
    'k3s.io/node-args': JSON.stringify(args),
    'k3s.io/node-config-hash': 'MLFMUCBMRVINLJJKSG32TOUFWB4CN55GMSNY25AZPESQXZCYRN2A====',
    'k3s.io/node-env': '{}',
    'flannel.alpha.coreos.com/backend-data': '{"VNI":1,"VtepMAC":"6e:3c:1b:9f:0a:21"}',
    'flannel.alpha.coreos.com/backend-type': 'vxlan',
    'flannel.alpha.coreos.com/kube-subnet-manager': 'true',
    'flannel.alpha.coreos.com/public-ip': ip,
    'node.alpha.kubernetes.io/ttl': '0',
  };
}

/**
 * `k3d cluster create nimbus --agents 1 --k3s-arg "--disable-cloud-controller@server:*"
 * --k3s-arg "--disable=servicelb@server:*" --k3s-arg "--kubelet-arg=cloud-provider=external@all"`:
 * names `k3d-nimbus-server-0`, `k3d-nimbus-agent-0`; k3s's `"true"`-valued role labels on the
 * server (no taint: k3s servers run workloads); flannel and node-config annotations; no
 * providerID (k3s's `k3s://` IDs come from its own CCM, disabled here); pod CIDRs from 10.42.0.0/16.
 */
export function k3dNodes(): KubeletNode[] {
  const args = (role: string) => [
    role,
    ...(role === 'server' ? ['--disable-cloud-controller', '--disable', 'servicelb'] : []),
    '--kubelet-arg',
    'cloud-provider=external',
  ];
  return [
    {
      name: 'k3d-nimbus-server-0',
      nodeIP: '172.19.0.2',
      external: true,
      labels: {
        ...kubeletLabels('k3d-nimbus-server-0'),
        'node-role.kubernetes.io/control-plane': 'true',
        'node-role.kubernetes.io/master': 'true',
      },
      annotations: k3sAnnotations('172.19.0.2', args('server')),
      podCIDR: '10.42.0.0/24',
      ready: true,
      nodeInfo: k3sNodeInfo,
    },
    {
      name: 'k3d-nimbus-agent-0',
      nodeIP: '172.19.0.3',
      external: true,
      labels: kubeletLabels('k3d-nimbus-agent-0'),
      annotations: k3sAnnotations('172.19.0.3', args('agent')),
      podCIDR: '10.42.1.0/24',
      ready: true,
      nodeInfo: k3sNodeInfo,
    },
  ];
}

/**
 * A k3s node that ran k3s's embedded CCM before the cluster switched to Nimbus
 * (`--disable-cloud-controller` added later): already initialised (no taint) with k3s's
 * immutable `k3s://<node>` providerID, its address annotations and `k3s` instance-type labels.
 */
export function migratedK3sNode(): KubeletNode {
  const name = 'k3d-nimbus-agent-1';
  const ip = '172.19.0.5';
  return {
    name,
    nodeIP: ip,
    external: false,
    providerID: `k3s://${name}`,
    labels: {
      ...kubeletLabels(name),
      'beta.kubernetes.io/instance-type': 'k3s',
      'node.kubernetes.io/instance-type': 'k3s',
    },
    annotations: {
      ...k3sAnnotations(ip, ['agent']),
      'k3s.io/hostname': name,
      'k3s.io/internal-ip': ip,
      'alpha.kubernetes.io/provided-node-ip': ip,
    },
    podCIDR: '10.42.2.0/24',
    ready: true,
    nodeInfo: k3sNodeInfo,
  };
}
