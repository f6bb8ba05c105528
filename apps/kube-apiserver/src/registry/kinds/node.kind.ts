import type { KubeObject } from '../../object/types';
import { defineKind } from '../define-kind';
import { validateName } from '../validation';
import { AGE_COLUMN, NAME_COLUMN, column, wide } from '../../tables/columns';
import { getArray, getPath, getString } from '../object-path';
import type { FieldError } from '../../errors/kube-error';

/**
 * ValidateNodeUpdate: pod CIDRs may be set once, never changed (a node allocator that acted on a
 * stale cache would otherwise move a node to a second range while its route keeps the first).
 */
function podCidrsUnchanged(obj: KubeObject, old: KubeObject): FieldError[] {
  const cidrs = (o: KubeObject) => getArray(o, 'spec.podCIDRs');
  const before = cidrs(old);
  const after = cidrs(obj);
  if (before.length === 0 || JSON.stringify(before) === JSON.stringify(after)) {
    return [];
  }
  return [
    {
      field: 'spec.podCIDRs',
      message: 'Forbidden: node updates may not change podCIDR except from "" to valid',
      reason: 'FieldValueForbidden',
    },
  ];
}

/** printNode's STATUS: Ready when True, NotReady otherwise (also Unknown), Unknown without one. */
function nodeStatus(o: KubeObject): string {
  const ready = getArray(o, 'status.conditions').find((c) => c.type === 'Ready');
  const status = !ready ? 'Unknown' : ready.status === 'True' ? 'Ready' : 'NotReady';
  return getPath(o, 'spec.unschedulable') === true ? `${status},SchedulingDisabled` : status;
}

function nodeRoles(o: KubeObject): string {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(o.metadata.labels ?? {})) {
    if (k.startsWith('node-role.kubernetes.io/') && k.length > 'node-role.kubernetes.io/'.length) {
      roles.add(k.slice('node-role.kubernetes.io/'.length));
    } else if (k === 'kubernetes.io/role' && v) {
      roles.add(v);
    }
  }
  return roles.size === 0 ? '<none>' : [...roles].sort().join(',');
}

function address(o: KubeObject, type: string): string {
  return (
    (getArray(o, 'status.addresses').find((a) => a.type === type)?.address as string) ?? '<none>'
  );
}

export const nodeKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'nodes',
  kind: 'Node',
  scope: 'Cluster',
  shortNames: ['no'],
  subresources: ['status'],
  statusOnCreate: true,
  deleteReturnsStatus: true,
  fieldSelectors: {
    'spec.unschedulable': (o) => String(getPath(o, 'spec.unschedulable') === true),
  },
  listStrategies: {
    'spec.podCIDRs': { primitive: true },
    'status.conditions': { key: 'type' },
    'status.addresses': { key: 'type' },
    'status.images': {},
    'status.volumesAttached': { key: 'name' },
  },
  columns: [
    NAME_COLUMN,
    column('Status', nodeStatus),
    column('Roles', nodeRoles),
    AGE_COLUMN,
    column('Version', (o) => getString(o, 'status.nodeInfo.kubeletVersion') ?? ''),
    wide('Internal-IP', (o) => address(o, 'InternalIP')),
    wide('External-IP', (o) => address(o, 'ExternalIP')),
    wide('OS-Image', (o) => getString(o, 'status.nodeInfo.osImage') ?? '<unknown>'),
    wide('Kernel-Version', (o) => getString(o, 'status.nodeInfo.kernelVersion') ?? '<unknown>'),
    wide(
      'Container-Runtime',
      (o) => getString(o, 'status.nodeInfo.containerRuntimeVersion') ?? '<unknown>',
    ),
  ],
  validate: (obj, old) => [
    ...validateName(obj.metadata.name, 'subdomain'),
    ...(old ? podCidrsUnchanged(obj, old) : []),
  ],
});
