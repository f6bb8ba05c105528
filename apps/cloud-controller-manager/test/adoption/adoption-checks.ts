import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { InstanceDto } from '@app/cloud-contracts';
import type { V1Node, V1Service } from '@app/kube-client';
import { cloudLb } from '../service-e2e';
import {
  SHUTDOWN_TAINT,
  UNINITIALIZED_TAINT,
  hasTaint,
  waitFor,
  type CcmHarness,
} from '../harness';
import type { KubeletNode } from './kubelet-registration';

export const ADOPTION_COMPONENT = 'nimbus-node-adoption-controller';

/** Flags of a CCM adopting a local cluster's nodes (fast periods come from the harness). */
export const adoptionFlags = (clusterName: string, clusterCidr: string) => ({
  adoptNodes: 'true',
  clusterName,
  clusterCidr,
});

/** Waits for the node controller to remove the uninitialized taint. */
export function waitForInitialised(h: CcmHarness, name: string, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const node = await h.getNode(name);
      return node && !hasTaint(node, UNINITIALIZED_TAINT) && node;
    },
    { timeoutMs, message: `node ${name} initialised` },
  );
}

/** The live imported instance named like the node. */
export async function importedInstance(h: CcmHarness, name: string): Promise<InstanceDto> {
  const live = (await h.cloud.instances.findByName(name)).filter((i) => i.state !== 'terminated');
  expect(live).toHaveLength(1);
  return live[0];
}

/**
 * What every adopted node must look like once initialised: its instance imported with the node's
 * real IP, the providerID kept when the kubelet set one (immutable) or the instance's otherwise,
 * the cloud's labels, and the provided IP as its only InternalIP.
 */
export async function expectAdoptedAndInitialised(
  h: CcmHarness,
  spec: KubeletNode,
  node: V1Node,
  clusterName: string,
): Promise<InstanceDto> {
  const instance = await importedInstance(h, spec.name);
  expect(instance).toMatchObject({
    imported: true,
    state: 'running',
    privateIp: spec.nodeIP,
    labels: { 'nimbus.dev/cluster': clusterName },
  });
  expect(node.spec?.providerID).toBe(spec.providerID ?? instance.providerId);
  expect(node.metadata?.labels).toMatchObject({
    'node.kubernetes.io/instance-type': instance.instanceType,
    'topology.kubernetes.io/zone': instance.zone,
    'topology.kubernetes.io/region': instance.region,
  });
  const internal = (node.status?.addresses ?? []).filter((a) => a.type === 'InternalIP');
  expect(internal).toEqual([{ type: 'InternalIP', address: spec.nodeIP }]);
  expect(node.status?.addresses).toContainEqual({ type: 'Hostname', address: spec.name });
  // The node's other taints (control plane) are untouched (the lifecycle controller's shutdown
  // taint of a NotReady node is checked by the scenarios).
  expect(
    (node.spec?.taints ?? []).map((t) => t.key).filter((key) => key !== SHUTDOWN_TAINT),
  ).toEqual((spec.taints ?? []).map((t) => t.key));
  return instance;
}

/** `kubectl get <args>` against the built-in api-server, as a user would run it. */
export async function kubectl(h: CcmHarness, ...args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(
    'kubectl',
    ['--kubeconfig', h.apiserver.kubeconfigPath, ...args],
    { timeout: 60_000 },
  );
  return stdout;
}

/** Waits for the route controller's NetworkUnavailable=False / RouteCreated on a node. */
export function waitForRouteCreated(h: CcmHarness, name: string, timeoutMs = 60_000) {
  return waitFor(
    async () => {
      const node = await h.getNode(name);
      const condition = node?.status?.conditions?.find((c) => c.type === 'NetworkUnavailable');
      return condition?.status === 'False' && condition.reason === 'RouteCreated' && condition;
    },
    { timeoutMs, message: `RouteCreated on ${name}` },
  );
}

/** Waits until the Service's cloud load balancer has `count` backends; returns it. */
export function waitForBackends(h: CcmHarness, svc: V1Service, count: number) {
  return waitFor(
    async () => {
      const lb = await cloudLb(h, svc);
      return lb && lb.backends.length === count && lb;
    },
    { timeoutMs: 60_000, message: `${count} backends behind ${svc.metadata?.name}` },
  );
}
