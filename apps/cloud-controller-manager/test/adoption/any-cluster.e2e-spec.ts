import {
  CcmHarness,
  SHUTDOWN_TAINT,
  UNINITIALIZED_TAINT,
  hasTaint,
  holdsFor,
  waitFor,
} from '../harness';
import {
  ADOPTION_COMPONENT,
  expectAdoptedAndInitialised,
  importedInstance,
  waitForInitialised,
} from './adoption-checks';
import {
  CONTROL_PLANE_TAINT,
  EXCLUDE_FROM_LB,
  kubeletLabels,
  registerNode,
  setReady,
  type KubeletNode,
} from './kubelet-registration';
import { kindNodes } from './local-cluster-nodes';

jest.setTimeout(120_000);

const nodeInfo = {
  osImage: 'Ubuntu 24.04.2 LTS',
  containerRuntimeVersion: 'containerd://1.7.27',
  kubeletVersion: 'v1.32.5',
};

/** A kubeadm cluster on VMs whose hostnames are FQDNs; kubelets run with --cloud-provider=external. */
function kubeadmNode(name: string, ip: string, extra: Partial<KubeletNode> = {}): KubeletNode {
  return {
    name,
    nodeIP: ip,
    external: true,
    labels: kubeletLabels(name),
    ready: true,
    nodeInfo,
    ...extra,
  };
}

describe('any cluster: kubeadm VMs with FQDN node names', () => {
  let h: CcmHarness;
  const controlPlane = kubeadmNode('cp-1.lab.example.com', '10.20.0.10', {
    labels: {
      ...kubeletLabels('cp-1.lab.example.com'),
      'node-role.kubernetes.io/control-plane': '',
      [EXCLUDE_FROM_LB]: '',
    },
    taints: [CONTROL_PLANE_TAINT],
  });
  const worker = kubeadmNode('worker-1.lab.example.com', '10.20.0.11', {
    labels: { ...kubeletLabels('worker-1.lab.example.com'), 'nimbus.dev/zone': 'nimbus-1c' },
  });
  // kubelet ≥ 1.29 with --cloud-provider=external and no --node-ip reports no address at all.
  const noNodeIp = kubeadmNode('worker-2.lab.example.com', '', { addresses: [] });

  beforeAll(async () => {
    h = await CcmHarness.start();
    await registerNode(h, controlPlane);
    await registerNode(h, worker);
    await registerNode(h, { ...noNodeIp, external: false, taints: [] });
    // A kubelet with --cloud-provider=external but no --node-ip: tainted, no provided-node-ip.
    await h.patchNode(noNodeIp.name, {
      spec: {
        taints: [{ key: UNINITIALIZED_TAINT, value: 'true', effect: 'NoSchedule' }],
      },
    });
    await h.startCcm({
      adoptNodes: 'true',
      adoptZone: 'nimbus-1b',
      deleteAdoptedNodes: 'true',
      clusterName: 'lab',
    });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('should adopt nodes with FQDN names, in the zone of --adopt-zone or of their nimbus.dev/zone label', async () => {
    const cp = await expectAdoptedAndInitialised(
      h,
      controlPlane,
      await waitForInitialised(h, controlPlane.name),
      'lab',
    );
    expect(cp.zone).toBe('nimbus-1b');
    const w = await expectAdoptedAndInitialised(
      h,
      worker,
      await waitForInitialised(h, worker.name),
      'lab',
    );
    expect(w.zone).toBe('nimbus-1c');
    expect(w.name).toBe('worker-1.lab.example.com');
  });

  it('should warn, and leave the node uninitialised, when a node has no IPv4 address to adopt', async () => {
    const event = await waitFor(
      async () =>
        (
          await h.events({
            reason: 'InstanceImportFailed',
            component: ADOPTION_COMPONENT,
            involvedName: noNodeIp.name,
          })
        )[0],
      { timeoutMs: 60_000, message: 'InstanceImportFailed' },
    );
    expect(event).toMatchObject({
      type: 'Warning',
      message: `cannot adopt node ${noNodeIp.name}: it has no IPv4 address: no alpha.kubernetes.io/provided-node-ip annotation (kubelet --node-ip) and no InternalIP in status.addresses`,
    });
    expect(hasTaint(await h.getNode(noNodeIp.name), UNINITIALIZED_TAINT)).toBe(true);
    expect(await h.cloud.instances.findByName(noNodeIp.name)).toEqual([]);
  });

  it('should delete a NotReady adopted node whose instance was terminated (--delete-adopted-nodes)', async () => {
    const instance = await importedInstance(h, worker.name);
    await h.cloud.instances.terminate(instance.id);
    await setReady(h, worker.name, 'Unknown');
    await waitFor(async () => (await h.getNode(worker.name)) === undefined, {
      timeoutMs: 60_000,
      message: `${worker.name} deleted`,
    });
    const [deleting] = await h.events({
      reason: 'DeletingNode',
      involvedName: worker.name,
    });
    expect(deleting?.message).toBe(
      `Deleting node ${worker.name} because it does not exist in the cloud provider`,
    );
    // It was not adopted again on its way out.
    expect(
      (await h.cloud.instances.findByName(worker.name)).filter((i) => i.state !== 'terminated'),
    ).toEqual([]);
  });
});

describe('a kind cluster without --adopt-nodes', () => {
  let h: CcmHarness;
  const [, kindWorker] = kindNodes();

  beforeAll(async () => {
    h = await CcmHarness.start();
    await registerNode(h, kindWorker);
    await h.startCcm({ clusterName: 'kind' });
  });

  afterAll(async () => {
    await h?.close();
  });

  it('should leave a node of another provider uninitialised, and never delete it when NotReady', async () => {
    await setReady(h, kindWorker.name, 'Unknown');
    await waitFor(async () => hasTaint(await h.getNode(kindWorker.name), SHUTDOWN_TAINT), {
      timeoutMs: 60_000,
      message: 'shutdown taint',
    });
    await holdsFor(
      async () => {
        const node = await h.getNode(kindWorker.name);
        return node !== undefined && hasTaint(node, UNINITIALIZED_TAINT);
      },
      1500,
      'the kind node stays, uninitialised',
    );
    expect(await h.cloud.instances.findByName(kindWorker.name)).toEqual([]);
    expect(await h.events({ reason: 'DeletingNode' })).toEqual([]);
  });
});
