import type { KubeObject } from '../../object/types';
import { isPlainObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { defineKind } from '../define-kind';
import { fieldForbidden } from '../field-errors';
import { validateName } from '../validation';
import { defaultPodOnly, defaultPodSpec } from '../pod-spec-defaults';
import { podSpecStrategies } from '../pod-spec-strategies';
import { validatePodSpec } from '../pod-spec-validation';
import { AGE_COLUMN, NAME_COLUMN, column, wide } from '../../tables/columns';
import { getArray, getPath, getString, text } from '../object-path';
import { age, formatTime } from '../../time/kube-time';

/** The STATUS column, following printPod in pkg/printers/internalversion. */
function podStatus(o: KubeObject): string {
  let reason = getString(o, 'status.reason') ?? getString(o, 'status.phase') ?? 'Pending';
  if (
    getArray(o, 'status.conditions').some(
      (c) => c.type === 'PodScheduled' && c.reason === 'SchedulingGated',
    )
  ) {
    reason = 'SchedulingGated';
  }
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

/** ValidatePodUpdate's list of what a pod update may change (1.32, without in-place resize). */
const UPDATABLE_POD_SPEC_FIELDS =
  '`spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/**
 * The part of ValidatePodUpdate that guards scheduling priority: the Priority admission plugin
 * resolves it once, at create. (Upstream refuses every other spec change too and appends a
 * diff of the spec, which is not reproduced.)
 */
function priorityUnchanged(obj: KubeObject, old: KubeObject): FieldError[] {
  const changed = ['priority', 'priorityClassName', 'preemptionPolicy'].some(
    (key) => getPath(obj, `spec.${key}`) !== getPath(old, `spec.${key}`),
  );
  return changed
    ? [
        fieldForbidden(
          'spec',
          `pod updates may not change fields other than ${UPDATABLE_POD_SPEC_FIELDS}`,
        ),
      ]
    : [];
}

function validatePod(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  return [
    ...validateName(obj.metadata.name, 'subdomain'),
    ...validatePodSpec(obj.spec, 'spec'),
    ...(old ? priorityUnchanged(obj, old) : []),
  ];
}

export const podKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'pods',
  kind: 'Pod',
  scope: 'Namespaced',
  shortNames: ['po'],
  categories: ['all'],
  subresources: ['status', 'binding', 'eviction', 'log', 'exec', 'attach', 'portforward', 'proxy'],
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
    ...podSpecStrategies('spec'),
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
  defaultOnCreate(obj, { nowMs }) {
    // spec.priority and spec.preemptionPolicy come from the Priority admission plugin.
    if (!isPlainObject(obj.status)) {
      obj.status = { phase: 'Pending', qosClass: 'BestEffort' };
    }
    // applySchedulingGatedCondition: a gated pod says why it is not scheduled.
    if (getArray(obj, 'spec.schedulingGates').length > 0 && isPlainObject(obj.status)) {
      obj.status.conditions = [
        {
          type: 'PodScheduled',
          status: 'False',
          lastProbeTime: null,
          lastTransitionTime: formatTime(nowMs),
          reason: 'SchedulingGated',
          message: 'Scheduling is blocked due to non-empty scheduling gates',
        },
      ];
    }
  },
  defaultOnWrite(obj) {
    const spec = isPlainObject(obj.spec) ? obj.spec : (obj.spec = {});
    defaultPodSpec(spec);
    defaultPodOnly(spec);
  },
  prepareForUpdate(obj, old) {
    // The Priority admission plugin on update: the priority it resolved at create is kept when a
    // client's update leaves it out.
    const spec = isPlainObject(obj.spec) ? obj.spec : (obj.spec = {});
    const oldSpec = isPlainObject(old.spec) ? old.spec : {};
    for (const key of ['priority', 'preemptionPolicy']) {
      if ((spec[key] === undefined || spec[key] === null) && oldSpec[key] !== undefined) {
        spec[key] = oldSpec[key];
      }
    }
  },
  validate: validatePod,
});
