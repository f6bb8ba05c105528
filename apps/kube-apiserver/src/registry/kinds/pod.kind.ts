import type { KubeObject } from '../../api/types';
import { isPlainObject } from '../../api/types';
import type { FieldError } from '../../errors/kube-error';
import { defineKind } from '../define-kind';
import { required, validateName } from '../validation';
import { AGE_COLUMN, NAME_COLUMN, column, wide } from '../../tables/columns';
import { age } from '../../time/kube-time';
import { getArray, getPath, getString, text } from '../object-path';

/** The STATUS column, following printPod in pkg/printers/internalversion. */
function podStatus(o: KubeObject): string {
  let reason = getString(o, 'status.reason') ?? getString(o, 'status.phase') ?? 'Pending';
  for (const cs of getArray(o, 'status.containerStatuses')) {
    const waiting = getPath(cs, 'state.waiting.reason');
    const terminated = getPath(cs, 'state.terminated') as Record<string, unknown> | undefined;
    if (typeof waiting === 'string' && waiting) {
      reason = waiting;
    } else if (terminated && typeof terminated.reason === 'string' && terminated.reason) {
      reason = terminated.reason;
    } else if (terminated) {
      reason = terminated.signal
        ? `Signal:${text(terminated.signal)}`
        : `ExitCode:${text(terminated.exitCode)}`;
    }
  }
  if (o.metadata.deletionTimestamp) {
    return getString(o, 'status.reason') === 'NodeLost' ? 'Unknown' : 'Terminating';
  }
  return reason;
}

/** upstream SetDefaults_Container: Always for `:latest` or no tag, IfNotPresent otherwise. */
function defaultPullPolicy(image: unknown): string {
  const ref = typeof image === 'string' ? image : '';
  if (ref.includes('@')) {
    return 'IfNotPresent';
  }
  const last = ref.slice(ref.lastIndexOf('/') + 1);
  const colon = last.indexOf(':');
  return colon < 0 || last.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

function podReady(o: KubeObject): string {
  const total = getArray(o, 'spec.containers').length;
  const ready = getArray(o, 'status.containerStatuses').filter((c) => c.ready === true).length;
  return `${ready}/${total}`;
}

/** printPod's RESTARTS: the count, and how long ago the last restart was (`3 (12s ago)`). */
function podRestarts(o: KubeObject, now: number): string {
  let restarts = 0;
  let last = '';
  for (const c of getArray(o, 'status.containerStatuses')) {
    restarts += Number(c.restartCount) || 0;
    const finished = getString(c, 'lastState.terminated.finishedAt');
    if (finished && (!last || Date.parse(finished) > Date.parse(last))) {
      last = finished;
    }
  }
  return restarts !== 0 && last ? `${restarts} (${age(last, now)} ago)` : String(restarts);
}

function validatePod(obj: KubeObject): FieldError[] {
  const errors = validateName(obj.metadata.name, 'subdomain');
  const containers = getArray(obj, 'spec.containers');
  if (containers.length === 0) {
    errors.push({
      field: 'spec.containers',
      message: 'Required value',
      reason: 'FieldValueRequired',
    });
  }
  containers.forEach((c, i) => {
    errors.push(...required(c.name, `spec.containers[${i}].name`));
    errors.push(...required(c.image, `spec.containers[${i}].image`));
  });
  return errors;
}

const CONTAINER_LISTS = {
  ports: { key: 'containerPort' },
  env: { key: 'name' },
  volumeMounts: { key: 'mountPath' },
  volumeDevices: { key: 'devicePath' },
};

function containerStrategies(prefix: string): Record<string, { key?: string }> {
  const out: Record<string, { key?: string }> = { [prefix]: { key: 'name' } };
  for (const [k, v] of Object.entries(CONTAINER_LISTS)) {
    out[`${prefix}.${k}`] = v;
  }
  return out;
}

export const podKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  scope: 'Namespaced',
  shortNames: ['po'],
  categories: ['all'],
  subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward'],
  fieldSelectors: {
    'spec.nodeName': (o) => getString(o, 'spec.nodeName'),
    'spec.host': (o) => getString(o, 'spec.nodeName'),
    'spec.restartPolicy': (o) => getString(o, 'spec.restartPolicy'),
    'spec.schedulerName': (o) => getString(o, 'spec.schedulerName'),
    'spec.serviceAccountName': (o) => getString(o, 'spec.serviceAccountName'),
    'spec.hostNetwork': (o) => String(getPath(o, 'spec.hostNetwork') === true),
    'status.phase': (o) => getString(o, 'status.phase'),
    'status.podIP': (o) => getString(o, 'status.podIP'),
    'status.podIPs': (o) => getString(o, 'status.podIP'),
    'status.nominatedNodeName': (o) => getString(o, 'status.nominatedNodeName'),
  },
  listStrategies: {
    ...containerStrategies('spec.containers'),
    ...containerStrategies('spec.initContainers'),
    ...containerStrategies('spec.ephemeralContainers'),
    'spec.volumes': { key: 'name' },
    'spec.imagePullSecrets': { key: 'name' },
    'spec.hostAliases': { key: 'ip' },
    'spec.topologySpreadConstraints': { key: 'topologyKey' },
    'spec.schedulingGates': { key: 'name' },
    'spec.resourceClaims': { key: 'name' },
    'status.conditions': { key: 'type' },
    'status.podIPs': { key: 'ip' },
    'status.hostIPs': { key: 'ip' },
  },
  columns: [
    NAME_COLUMN,
    column('Ready', podReady),
    column('Status', podStatus),
    column('Restarts', podRestarts, { type: 'string' }),
    AGE_COLUMN,
    wide('IP', (o) => getString(o, 'status.podIP') ?? '<none>'),
    wide('Node', (o) => getString(o, 'spec.nodeName') ?? '<none>'),
    wide('Nominated Node', (o) => getString(o, 'status.nominatedNodeName') ?? '<none>'),
    wide('Readiness Gates', (o) => {
      const gates = getArray(o, 'spec.readinessGates');
      return gates.length === 0 ? '<none>' : `0/${gates.length}`;
    }),
  ],
  defaultOnCreate(obj) {
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    obj.spec = {
      restartPolicy: 'Always',
      terminationGracePeriodSeconds: 30,
      dnsPolicy: 'ClusterFirst',
      serviceAccountName: 'default',
      schedulerName: 'default-scheduler',
      securityContext: {},
      enableServiceLinks: true,
      preemptionPolicy: 'PreemptLowerPriority',
      priority: 0,
      ...spec,
      containers: getArray(spec, 'containers').map((c) => ({
        terminationMessagePath: '/dev/termination-log',
        terminationMessagePolicy: 'File',
        imagePullPolicy: defaultPullPolicy(c.image),
        resources: {},
        ...c,
      })),
    };
    if (!isPlainObject(obj.status)) {
      obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    }
  },
  validate: validatePod,
});
