import type { UserInfo } from '../auth/user-info';

export const NODES_GROUP = 'system:nodes';
export const NODE_USER_PREFIX = 'system:node:';

/** `system:node:<nodeName>`: the user a node's kubelet authenticates as. */
export const nodeUser = (nodeName: string): string => `${NODE_USER_PREFIX}${nodeName}`;

/**
 * The default node identifier (k8s.io/kubernetes pkg/auth/nodeidentifier): a user named
 * `system:node:<name>` in group `system:nodes` is node `<name>`; any other user is not a node.
 * `nodeName` is empty for the user `system:node:` itself (a node that cannot be identified).
 */
export function nodeIdentity(user: UserInfo): { isNode: boolean; nodeName: string } {
  if (!user.name.startsWith(NODE_USER_PREFIX) || !user.groups.includes(NODES_GROUP)) {
    return { isNode: false, nodeName: '' };
  }
  return { isNode: true, nodeName: user.name.slice(NODE_USER_PREFIX.length) };
}
