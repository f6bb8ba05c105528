import type { UserInfo } from '../auth/user-info';
import type { NodeGraph, VertexType } from './node-graph';
import { nodeIdentity } from './node-identity';
import type { PolicyRule, RequestAttributes } from './policy-rule';
import type { Decision } from './rbac-authorizer';
import { ruleAllows } from './rule-matching';

/** The namespace of node heartbeat Leases (api.NamespaceNodeLease). */
export const NODE_LEASE_NAMESPACE = 'kube-node-lease';

const allow: Decision = { allowed: true, reason: '' };
const noOpinion = (reason = ''): Decision => ({ allowed: false, reason });

/** `field=value` / `field==value` requirements of a field selector (fields.ParseSelector). */
function equalityRequirements(selector: string | undefined): { field: string; value: string }[] {
  return (selector ?? '')
    .split(',')
    .map((term) => /^\s*([^!=\s]+)\s*==?\s*(.*?)\s*$/.exec(term))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ field: m[1], value: m[2] }));
}

/**
 * The Node authorizer (plugin/pkg/auth/authorizer/node/node_authorizer.go, with
 * AuthorizeNodeWithSelectors on as in 1.32): a kubelet (`system:node:<name>` in `system:nodes`)
 * may read the Secrets, ConfigMaps, claims, volumes, ServiceAccount tokens and ResourceClaims of
 * the pods bound to it, its own Node and Lease, those pods (list/watch only with
 * `spec.nodeName=<name>`), and otherwise what the `system:node` ClusterRole says. Everyone else
 * gets no opinion. NodeRestriction admission narrows the writes this lets through.
 */
export class NodeAuthorizer {
  constructor(
    private readonly graph: NodeGraph,
    private readonly nodeRules: readonly PolicyRule[],
  ) {}

  authorize(user: UserInfo, a: RequestAttributes): Decision {
    const { isNode, nodeName } = nodeIdentity(user);
    if (!isNode) {
      return noOpinion();
    }
    if (nodeName === '') {
      return noOpinion(`unknown node for user "${user.name}"`);
    }
    if (a.resourceRequest) {
      const decision = this.authorizeResource(nodeName, a);
      if (decision) {
        return decision;
      }
    }
    return this.nodeRules.some((rule) => ruleAllows(a, rule)) ? allow : noOpinion();
  }

  /** The resources whose access is subdivided per node; undefined for the others. */
  private authorizeResource(node: string, a: RequestAttributes): Decision | undefined {
    switch (`${a.apiGroup}/${a.resource}`) {
      case '/secrets':
        return this.readNamespacedObject(node, 'secret', a);
      case '/configmaps':
        return this.readNamespacedObject(node, 'configmap', a);
      case '/persistentvolumeclaims':
        return a.subresource === 'status'
          ? this.statusUpdate(node, 'pvc', a)
          : this.get(node, 'pvc', a);
      case '/persistentvolumes':
        return this.get(node, 'pv', a);
      case 'resource.k8s.io/resourceclaims':
        return this.get(node, 'resourceclaim', a);
      case 'storage.k8s.io/volumeattachments':
        return this.get(node, 'volumeattachment', a);
      case '/serviceaccounts':
        return this.createToken(node, a);
      case 'coordination.k8s.io/leases':
        return this.lease(node, a);
      case 'storage.k8s.io/csinodes':
        return this.csiNode(node, a);
      case '/nodes':
        return this.node(node, a);
      case '/pods':
        return this.pod(node, a);
      default:
        return undefined;
    }
  }

  private statusUpdate(node: string, type: VertexType, a: RequestAttributes): Decision {
    if (a.verb !== 'update' && a.verb !== 'patch') {
      return noOpinion('can only get/update/patch this type');
    }
    if (a.subresource !== 'status') {
      return noOpinion('can only update status subresource');
    }
    return this.related(node, type, a);
  }

  private get(node: string, type: VertexType, a: RequestAttributes): Decision {
    if (a.verb !== 'get') {
      return noOpinion('can only get individual resources of this type');
    }
    if (a.subresource !== '') {
      return noOpinion('cannot get subresource');
    }
    return this.related(node, type, a);
  }

  private readNamespacedObject(node: string, type: VertexType, a: RequestAttributes): Decision {
    if (!['get', 'list', 'watch'].includes(a.verb)) {
      return noOpinion('can only read resources of this type');
    }
    if (a.subresource !== '') {
      return noOpinion('cannot read subresource');
    }
    if (a.namespace === '') {
      return noOpinion('can only read namespaced object of this type');
    }
    return this.related(node, type, a);
  }

  private related(node: string, type: VertexType, a: RequestAttributes): Decision {
    if (a.name === '') {
      return noOpinion('No Object name found');
    }
    return this.graph.hasPathFrom(node, type, a.namespace, a.name)
      ? allow
      : noOpinion(`no relationship found between node '${node}' and this object`);
  }

  private createToken(node: string, a: RequestAttributes): Decision {
    if (a.verb !== 'create' || a.name === '') {
      return noOpinion('can only create tokens for individual service accounts');
    }
    if (a.subresource !== 'token') {
      return noOpinion('can only create token subresource of serviceaccount');
    }
    return this.related(node, 'serviceAccount', a);
  }

  private lease(node: string, a: RequestAttributes): Decision {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) {
      return noOpinion('can only get, create, update, patch, or delete a node lease');
    }
    if (a.namespace !== NODE_LEASE_NAMESPACE) {
      return noOpinion(`can only access leases in the "${NODE_LEASE_NAMESPACE}" system namespace`);
    }
    // On create the name is in the body: NodeRestriction checks it.
    if (a.verb !== 'create' && a.name !== node) {
      return noOpinion('can only access node lease with the same name as the requesting node');
    }
    return allow;
  }

  private csiNode(node: string, a: RequestAttributes): Decision {
    if (!['get', 'create', 'update', 'patch', 'delete'].includes(a.verb)) {
      return noOpinion('can only get, create, update, patch, or delete a CSINode');
    }
    if (a.subresource !== '') {
      return noOpinion('cannot authorize CSINode subresources');
    }
    if (a.verb !== 'create' && a.name !== node) {
      return noOpinion('can only access CSINode with the same name as the requesting node');
    }
    return allow;
  }

  private node(node: string, a: RequestAttributes): Decision {
    if (a.subresource === '') {
      if (['create', 'update', 'patch'].includes(a.verb)) {
        return allow; // NodeRestriction limits the node to its own Node object.
      }
      if (['get', 'list', 'watch'].includes(a.verb)) {
        if (a.name === node) {
          return allow;
        }
        return noOpinion(
          a.name === ''
            ? `node '${node}' cannot read all nodes, only its own Node object`
            : `node '${node}' cannot read '${a.name}', only its own Node object`,
        );
      }
    } else if (a.subresource === 'status' && (a.verb === 'update' || a.verb === 'patch')) {
      return allow;
    }
    return noOpinion();
  }

  private pod(node: string, a: RequestAttributes): Decision {
    switch (a.subresource) {
      case '':
        if (a.verb === 'get') {
          return this.get(node, 'pod', a);
        }
        if (a.verb === 'list' || a.verb === 'watch') {
          const scoped = equalityRequirements(a.fieldSelector).some(
            (r) => r.field === 'spec.nodeName' && r.value === node,
          );
          if (scoped) {
            return allow;
          }
          if (a.name !== '') {
            return this.related(node, 'pod', a);
          }
          return noOpinion('can only list/watch pods with spec.nodeName field selector');
        }
        if (a.verb === 'create' || a.verb === 'delete') {
          return allow; // mirror pods; NodeRestriction checks the binding
        }
        break;
      case 'status':
        if (a.verb === 'update' || a.verb === 'patch') {
          return allow;
        }
        break;
      case 'eviction':
        if (a.verb === 'create') {
          return allow;
        }
        break;
    }
    return noOpinion();
  }
}
