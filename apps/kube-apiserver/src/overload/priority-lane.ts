import type { UserInfo } from '../auth/token-authenticator';

/** `/apis/coordination.k8s.io/v1/namespaces/<ns>/leases[/<name>]` (no watch, no collection verbs). */
const LEASE_PATH = /^\/apis\/coordination\.k8s\.io\/v1\/namespaces\/([^/]+)\/leases(\/[^/]+)?$/;
/** A node's status, the other half of its heartbeat (`PATCH /api/v1/nodes/<name>/status`). */
const NODE_STATUS_PATH = /^\/api\/v1\/nodes\/[^/]+\/status$/;
/** The leader-election verbs of upstream's flow schema: get, create, update. */
const LEADER_ELECTION_METHODS = new Set(['GET', 'POST', 'PUT']);

/**
 * Control-plane users whose lease calls are leader election. Upstream's `system-leader-election`
 * FlowSchema names the controller-manager and scheduler users and every kube-system service account
 * (the cloud-controller-manager runs as one there; Nimbus's CCM has its own user).
 */
const LEADER_ELECTION_USERS = new Set([
  'system:kube-controller-manager',
  'system:kube-scheduler',
  'system:cloud-controller-manager',
]);
const KUBE_SYSTEM_SERVICE_ACCOUNT = /^system:serviceaccount:kube-system:/;

/**
 * Whether a request belongs to the lane that is never shed, the nearest thing to upstream's API
 * Priority and Fairness without APF itself (k8s.io/apiserver pkg/apis/flowcontrol/bootstrap
 * default.go): leader election (FlowSchema `system-leader-election` → priority level
 * `leader-election`: get/create/update of leases by the control-plane users above) and node
 * heartbeats (`system-nodes` → level `system`: the group system:nodes renewing its Lease or writing
 * its status). Under load these must not wait behind workload traffic: a controller-manager whose
 * renewals are refused loses its lease; nodes whose heartbeats are refused are marked NotReady and
 * their pods evicted.
 */
export function isPriorityRequest(
  method: string,
  path: string,
  user: UserInfo | undefined,
): boolean {
  if (!user) {
    return false;
  }
  const lease = LEASE_PATH.exec(path);
  if (lease) {
    if (user.groups.includes('system:nodes')) {
      return true;
    }
    return (
      LEADER_ELECTION_METHODS.has(method) &&
      (LEADER_ELECTION_USERS.has(user.name) || KUBE_SYSTEM_SERVICE_ACCOUNT.test(user.name))
    );
  }
  return NODE_STATUS_PATH.test(path) && user.groups.includes('system:nodes');
}

/** A cheap look at the path alone, so that only these requests pay for authentication here. */
export function mayBePriority(path: string): boolean {
  return path.startsWith('/apis/coordination.k8s.io/') || NODE_STATUS_PATH.test(path);
}
