import { runAsUser } from '../auth/request-user';
import type { KubeObject } from '../object/types';
import type { ResourceType } from '../registry/resource-type';
import { forbiddenNodeLabels } from './node-labels';
import { NodeRestrictionAdmission } from './node-restriction';

const type = (group: string, resource: string) => ({ group, resource }) as ResourceType;
const PODS = type('', 'pods');
const NODES = type('', 'nodes');
const PVCS = type('', 'persistentvolumeclaims');
const LEASES = type('coordination.k8s.io', 'leases');

const mynode = { name: 'system:node:mynode', uid: '', groups: ['system:nodes'] };
const admin = { name: 'alice', uid: '', groups: ['system:masters'] };

const pod = (name: string, nodeName: string, extra: Partial<KubeObject> = {}): KubeObject => ({
  metadata: { name, namespace: 'ns', uid: `${name}-uid` },
  spec: { nodeName, containers: [{ name: 'c' }] },
  ...extra,
});
const nodeObject = (name: string, labels: Record<string, string> = {}, taints: unknown[] = []) => ({
  metadata: { name, uid: `${name}-uid`, labels },
  spec: { taints },
});

/** The message of what `fn` throws, or 'allowed'. */
function outcome(user: typeof mynode, fn: () => void): string {
  try {
    runAsUser(user, fn);
    return 'allowed';
  } catch (err) {
    return (err as Error).message;
  }
}

/* Cases after upstream's noderestriction admission_test.go (Test_nodePlugin_Admit). */
describe('NodeRestrictionAdmission', () => {
  const pods = new Map<string, KubeObject>([
    ['mypod', pod('mypod', 'mynode')],
    ['otherpod', pod('otherpod', 'othernode')],
  ]);
  const plugin = new NodeRestrictionAdmission({
    pod: (_ns, name) => pods.get(name),
    node: (name) => (name === 'mynode' ? nodeObject('mynode') : undefined),
  });

  it('should let a node write status only of pods bound to it, without touching labels', () => {
    const mine = pods.get('mypod')!;
    const other = pods.get('otherpod')!;
    expect(outcome(mynode, () => plugin.admitUpdateRequest(PODS, mine, mine, 'status'))).toBe(
      'allowed',
    );
    expect(outcome(mynode, () => plugin.admitUpdateRequest(PODS, other, other, 'status'))).toBe(
      'pods "otherpod" is forbidden: node "mynode" can only update pod status for pods with spec.nodeName set to itself',
    );
    const relabelled = { ...mine, metadata: { ...mine.metadata, labels: { a: 'b' } } };
    expect(outcome(mynode, () => plugin.admitUpdateRequest(PODS, relabelled, mine, 'status'))).toBe(
      'pods "mypod" is forbidden: node "mynode" cannot update labels through pod status',
    );
    // Anyone else is not restricted here.
    expect(outcome(admin, () => plugin.admitUpdateRequest(PODS, other, other, 'status'))).toBe(
      'allowed',
    );
  });

  it('should let a node delete and evict only its own pods, and create only its own mirror pods', () => {
    expect(outcome(mynode, () => plugin.admitDelete(PODS, pods.get('mypod')!))).toBe('allowed');
    expect(outcome(mynode, () => plugin.admitDelete(PODS, pods.get('otherpod')!))).toBe(
      'pods "otherpod" is forbidden: node "mynode" can only delete pods with spec.nodeName set to itself',
    );
    expect(outcome(mynode, () => plugin.admitEviction('ns', 'mypod'))).toBe('allowed');
    expect(outcome(mynode, () => plugin.admitEviction('ns', 'otherpod'))).toBe(
      'pods "otherpod" is forbidden: node mynode can only evict pods with spec.nodeName set to itself',
    );
    expect(outcome(mynode, () => plugin.admit(PODS, pod('p', 'mynode'), 'p'))).toBe(
      'pods "p" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "mynode" can only create mirror pods',
    );
    const mirror = (nodeName: string, extra: Record<string, unknown> = {}) =>
      pod('m', nodeName, {
        metadata: {
          name: 'm',
          namespace: 'ns',
          annotations: { 'kubernetes.io/config.mirror': 'x' },
          ownerReferences: [
            { apiVersion: 'v1', kind: 'Node', name: 'mynode', uid: 'mynode-uid', controller: true },
          ],
        },
        ...extra,
      });
    expect(outcome(mynode, () => plugin.admit(PODS, mirror('mynode'), 'm'))).toBe('allowed');
    expect(outcome(mynode, () => plugin.admit(PODS, mirror('othernode'), 'm'))).toBe(
      'pods "m" is forbidden: node "mynode" can only create pods with spec.nodeName set to itself',
    );
    const withSecret = mirror('mynode', {
      spec: { nodeName: 'mynode', volumes: [{ name: 'v', secret: { secretName: 's' } }] },
    });
    expect(outcome(mynode, () => plugin.admit(PODS, withSecret, 'm'))).toBe(
      'pods "m" is forbidden: node "mynode" can not create pods that reference secrets',
    );
  });

  it('should confine a node to its own Node, without taint changes or protected labels', () => {
    const mine = nodeObject('mynode', { 'kubernetes.io/hostname': 'mynode' });
    expect(outcome(mynode, () => plugin.admit(NODES, mine, ''))).toBe('allowed');
    expect(outcome(mynode, () => plugin.admit(NODES, nodeObject('othernode'), ''))).toBe(
      'nodes "othernode" is forbidden: node "mynode" is not allowed to modify node "othernode"',
    );
    const other = nodeObject('othernode');
    expect(outcome(mynode, () => plugin.admitUpdateRequest(NODES, other, other, 'status'))).toBe(
      'nodes "othernode" is forbidden: node "mynode" is not allowed to modify node "othernode"',
    );
    const protectedLabels = nodeObject('mynode', {
      'node-restriction.kubernetes.io/pool': 'a',
      'node-role.kubernetes.io/master': '',
      'node.kubernetes.io/exclude-from-external-load-balancers': '',
      'team.example.com/owner': 'x',
    });
    expect(outcome(mynode, () => plugin.admit(NODES, protectedLabels, ''))).toBe(
      'nodes "mynode" is forbidden: node "mynode" is not allowed to set the following labels: node-restriction.kubernetes.io/pool, node-role.kubernetes.io/master',
    );
    expect(
      outcome(mynode, () => plugin.admitUpdateRequest(NODES, protectedLabels, mine, undefined)),
    ).toBe(
      'nodes "mynode" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pool, node-role.kubernetes.io/master',
    );
    const untainted = nodeObject('mynode', mine.metadata.labels, [
      { key: 'k', effect: 'NoSchedule' },
    ]);
    expect(
      outcome(mynode, () => plugin.admitUpdateRequest(NODES, untainted, mine, undefined)),
    ).toBe('nodes "mynode" is forbidden: node "mynode" is not allowed to modify taints');
  });

  it('should allow only its own Lease in kube-node-lease', () => {
    const lease = (name: string, namespace = 'kube-node-lease') => ({
      metadata: { name, namespace },
    });
    expect(outcome(mynode, () => plugin.admit(LEASES, lease('mynode'), ''))).toBe('allowed');
    expect(outcome(mynode, () => plugin.admit(LEASES, lease('othernode'), ''))).toBe(
      'leases.coordination.k8s.io "othernode" is forbidden: can only access node lease with the same name as the requesting node',
    );
    expect(outcome(mynode, () => plugin.admit(LEASES, lease('mynode', 'default'), ''))).toBe(
      'leases.coordination.k8s.io "mynode" is forbidden: can only access leases in the "kube-node-lease" system namespace',
    );
  });

  it('should let a node change only capacity and conditions of a claim status', () => {
    const claim = {
      metadata: { name: 'c', namespace: 'ns', resourceVersion: '1' },
      spec: { resources: { requests: { storage: '1Gi' } } },
      status: { phase: 'Bound', capacity: { storage: '1Gi' } },
    };
    const grown = {
      ...claim,
      metadata: { ...claim.metadata, resourceVersion: '2' },
      status: { phase: 'Bound', capacity: { storage: '2Gi' }, conditions: [] },
    };
    expect(outcome(mynode, () => plugin.admitUpdateRequest(PVCS, grown, claim, 'status'))).toBe(
      'allowed',
    );
    const lost = { ...grown, status: { ...grown.status, phase: 'Lost' } };
    expect(outcome(mynode, () => plugin.admitUpdateRequest(PVCS, lost, claim, 'status'))).toMatch(
      /node "mynode" is not allowed to update fields other than status.capacity and status.conditions/,
    );
    expect(outcome(mynode, () => plugin.admitUpdateRequest(PVCS, claim, claim, undefined))).toBe(
      'persistentvolumeclaims "c" is forbidden: may only update PVC status',
    );
  });

  it('should let a node request tokens only bound to its own pods', () => {
    const request = (name: string, uid: string) => ({
      spec: { boundObjectRef: { apiVersion: 'v1', kind: 'Pod', name, uid } },
    });
    expect(
      outcome(mynode, () =>
        plugin.admitTokenRequest('ns', 'default', request('mypod', 'mypod-uid')),
      ),
    ).toBe('allowed');
    expect(
      outcome(mynode, () =>
        plugin.admitTokenRequest('ns', 'default', request('otherpod', 'otherpod-uid')),
      ),
    ).toBe(
      'serviceaccounts "default" is forbidden: node requested token bound to a pod scheduled on a different node',
    );
    expect(outcome(mynode, () => plugin.admitTokenRequest('ns', 'default', {}))).toBe(
      'serviceaccounts "default" is forbidden: node requested token not bound to a pod',
    );
  });

  it('should let kubelets keep the well-known labels (kubeletapis.IsKubeletLabel)', () => {
    expect(
      forbiddenNodeLabels([
        'kubernetes.io/hostname',
        'topology.kubernetes.io/zone',
        'node.kubernetes.io/instance-type',
        'kubelet.kubernetes.io/x',
        'beta.kubernetes.io/arch',
        'nimbus.dev/cluster',
      ]),
    ).toEqual([]);
    expect(forbiddenNodeLabels(['k8s.io/x', 'a.node-restriction.kubernetes.io/y'])).toEqual([
      'a.node-restriction.kubernetes.io/y',
      'k8s.io/x',
    ]);
  });
});
