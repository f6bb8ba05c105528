import type { KubeObject } from '../../object/types';
import { isPlainObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { defineKind } from '../define-kind';
import { oneOf, validateName } from '../validation';
import { AGE_COLUMN, NAME_COLUMN, column, wide } from '../../tables/columns';
import { getArray, getPath, getString, text } from '../object-path';

function externalIp(o: KubeObject): string {
  const type = getString(o, 'spec.type') ?? 'ClusterIP';
  const external = (getPath(o, 'spec.externalIPs') as string[] | undefined) ?? [];
  if (type === 'ExternalName') {
    return getString(o, 'spec.externalName') ?? '<none>';
  }
  if (type === 'LoadBalancer') {
    const ingress = getArray(o, 'status.loadBalancer.ingress').map(
      (i) => (i.ip as string) ?? (i.hostname as string),
    );
    const all = [...ingress, ...external];
    return all.length > 0 ? all.join(',') : '<pending>';
  }
  return external.length > 0 ? external.join(',') : '<none>';
}

function ports(o: KubeObject): string {
  const list = getArray(o, 'spec.ports').map((p) =>
    p.nodePort
      ? `${text(p.port)}:${text(p.nodePort)}/${text(p.protocol ?? 'TCP')}`
      : `${text(p.port)}/${text(p.protocol ?? 'TCP')}`,
  );
  return list.length > 0 ? list.join(',') : '<none>';
}

function selector(o: KubeObject): string {
  const sel = getPath(o, 'spec.selector');
  if (!isPlainObject(sel) || Object.keys(sel).length === 0) {
    return '<none>';
  }
  return Object.entries(sel)
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([k, v]) => `${k}=${text(v)}`)
    .join(',');
}

function validateService(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const name = obj.metadata.name;
  const errors = validateName(name, 'label');
  if (name && !/^[a-z]/.test(name)) {
    errors.push({
      field: 'metadata.name',
      message: `Invalid value: "${name}": a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character`,
    });
  }
  const type = getString(obj, 'spec.type');
  errors.push(
    ...oneOf(type, 'spec.type', ['ClusterIP', 'NodePort', 'LoadBalancer', 'ExternalName']),
  );
  getArray(obj, 'spec.ports').forEach((p, i) => {
    const port = p.port;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      errors.push({
        field: `spec.ports[${i}].port`,
        message: `Invalid value: ${JSON.stringify(port)}: must be between 1 and 65535, inclusive`,
      });
    }
    errors.push(...oneOf(p.protocol, `spec.ports[${i}].protocol`, ['TCP', 'UDP', 'SCTP']));
  });
  if (type !== 'ExternalName' && getArray(obj, 'spec.ports').length === 0) {
    errors.push({ field: 'spec.ports', message: 'Required value', reason: 'FieldValueRequired' });
  }
  if (old && type !== 'ExternalName') {
    const before = getString(old, 'spec.clusterIP');
    const after = getString(obj, 'spec.clusterIP');
    if (before && after !== undefined && after !== before) {
      errors.push({ field: 'spec.clusterIPs[0]', message: 'Invalid value: field is immutable' });
    }
  }
  return errors;
}

export const serviceKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'services',
  kind: 'Service',
  scope: 'Namespaced',
  shortNames: ['svc'],
  categories: ['all'],
  subresources: ['status', 'proxy'],
  fieldSelectors: {
    'spec.clusterIP': (o) => getString(o, 'spec.clusterIP'),
    'spec.type': (o) => getString(o, 'spec.type'),
  },
  listStrategies: {
    'spec.ports': { key: 'port' },
    'status.conditions': { key: 'type' },
  },
  columns: [
    NAME_COLUMN,
    column('Type', (o) => getString(o, 'spec.type')),
    column('Cluster-IP', (o) => getString(o, 'spec.clusterIP') ?? '<none>'),
    column('External-IP', externalIp),
    column('Port(s)', ports),
    AGE_COLUMN,
    wide('Selector', selector),
  ],
  defaultOnCreate(obj) {
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    const type = (spec.type as string | undefined) ?? 'ClusterIP';
    const defaults: Record<string, unknown> = { type, sessionAffinity: 'None' };
    if (type !== 'ExternalName') {
      Object.assign(defaults, {
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        internalTrafficPolicy: 'Cluster',
      });
    }
    if (type === 'NodePort' || type === 'LoadBalancer') {
      defaults.externalTrafficPolicy = 'Cluster';
    }
    if (type === 'LoadBalancer') {
      defaults.allocateLoadBalancerNodePorts = true;
    }
    obj.spec = {
      ...defaults,
      ...spec,
      ports: getArray(spec, 'ports').map((p) => ({
        protocol: 'TCP',
        targetPort: p.port,
        ...p,
      })),
    };
    if (!isPlainObject(obj.status)) {
      obj.status = { loadBalancer: {} };
    }
  },
  defaultOnWrite(obj) {
    for (const port of getArray(obj, 'spec.ports')) {
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
    }
    // SetDefaults_Service runs on every write: a Service changed to NodePort or LoadBalancer
    // gets the defaults it would have had on create.
    if (isPlainObject(obj.spec)) {
      const spec = obj.spec;
      if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
        spec.externalTrafficPolicy ??= 'Cluster';
      }
      if (spec.type === 'LoadBalancer') {
        spec.allocateLoadBalancerNodePorts ??= true;
      }
    }
  },
  validate: validateService,
});
