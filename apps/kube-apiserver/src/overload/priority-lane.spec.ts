import { isPriorityRequest, mayBePriority } from './priority-lane';

const user = (name: string, groups: string[] = []) => ({ name, uid: '', groups });
const KCM = user('system:kube-controller-manager');
const NODE = user('system:node:worker-1', ['system:nodes']);
const LEASE = '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager';
const NODE_LEASE = '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/worker-1';

describe('the priority lane (leader election and node heartbeats)', () => {
  it('takes the control plane’s leader-election calls: get, create, update of leases', () => {
    expect(isPriorityRequest('GET', LEASE, KCM)).toBe(true);
    expect(isPriorityRequest('PUT', LEASE, KCM)).toBe(true);
    expect(
      isPriorityRequest(
        'POST',
        '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases',
        user('system:kube-scheduler'),
      ),
    ).toBe(true);
    expect(
      isPriorityRequest(
        'PUT',
        LEASE,
        user('system:serviceaccount:kube-system:cloud-controller-manager'),
      ),
    ).toBe(true);
  });

  it('leaves out other verbs, other users, other resources and the unauthenticated', () => {
    expect(isPriorityRequest('DELETE', LEASE, KCM)).toBe(false);
    expect(isPriorityRequest('PUT', LEASE, user('alice', ['system:authenticated']))).toBe(false);
    expect(isPriorityRequest('PUT', LEASE, user('system:serviceaccount:default:app'))).toBe(false);
    expect(isPriorityRequest('PUT', '/api/v1/namespaces/kube-system/configmaps/x', KCM)).toBe(
      false,
    );
    expect(isPriorityRequest('PATCH', '/api/v1/nodes/worker-1/status', KCM)).toBe(false);
    expect(isPriorityRequest('PUT', LEASE, undefined)).toBe(false);
  });

  it('takes node heartbeats: the Lease and the status of system:nodes', () => {
    expect(isPriorityRequest('PUT', NODE_LEASE, NODE)).toBe(true);
    expect(isPriorityRequest('PATCH', '/api/v1/nodes/worker-1/status', NODE)).toBe(true);
    expect(isPriorityRequest('POST', '/api/v1/namespaces/default/pods', NODE)).toBe(false);
  });

  it('lets every other path skip authentication', () => {
    expect(mayBePriority(NODE_LEASE)).toBe(true);
    expect(mayBePriority('/api/v1/nodes/worker-1/status')).toBe(true);
    expect(mayBePriority('/api/v1/namespaces/default/pods')).toBe(false);
  });
});
