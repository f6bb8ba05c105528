import { isPlainObject, type KubeObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { fieldInvalid, fieldNotSupported, nonNegative } from '../field-errors';
import { goPointer, goRaw, goString } from '../go-format';
import { validateLabelSelector } from '../label-selector-rules';
import { getPath, text } from '../object-path';
import { validateName } from '../validation';
import { notMoreThan100Percent, validateIntOrPercent, zeroStatusFields } from '../workload-rules';

/** ValidatePodDisruptionBudget(Spec) and the v1 status checks (pkg/apis/policy/validation). */
function validatePodDisruptionBudget(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const set = (v: unknown) => v !== undefined && v !== null;
  if (set(spec.minAvailable) && set(spec.maxUnavailable)) {
    const value = goRaw(
      `policy.PodDisruptionBudgetSpec{MinAvailable:${goPointer('intstr.IntOrString', true)}, Selector:${goPointer('v1.LabelSelector', set(spec.selector))}, MaxUnavailable:${goPointer('intstr.IntOrString', true)}, UnhealthyPodEvictionPolicy:${goPointer('policy.UnhealthyPodEvictionPolicyType', set(spec.unhealthyPodEvictionPolicy))}}`,
    );
    errors.push(fieldInvalid('spec', value, 'minAvailable and maxUnavailable cannot be both set'));
  }
  for (const key of ['minAvailable', 'maxUnavailable']) {
    if (set(spec[key])) {
      errors.push(...validateIntOrPercent(spec[key], `spec.${key}`));
      errors.push(...notMoreThan100Percent(spec[key], `spec.${key}`));
    }
  }
  errors.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  const policy = spec.unhealthyPodEvictionPolicy;
  if (set(policy) && policy !== 'AlwaysAllow' && policy !== 'IfHealthyBudget') {
    errors.push(
      fieldNotSupported('spec.unhealthyPodEvictionPolicy', goString(policy), [
        'AlwaysAllow',
        'IfHealthyBudget',
      ]),
    );
  }
  const status = isPlainObject(obj.status) ? obj.status : {};
  for (const key of ['disruptionsAllowed', 'currentHealthy', 'desiredHealthy', 'expectedPods']) {
    errors.push(...nonNegative(status[key], `status.${key}`));
  }
  return errors;
}

/** intstr's String(): the int or the percent string; `N/A` when unset. */
const intOrStringCell = (v: unknown) => (v === undefined || v === null ? 'N/A' : text(v));

export const podDisruptionBudgetKind = defineKind({
  group: 'policy',
  version: 'v1',
  resource: 'poddisruptionbudgets',
  kind: 'PodDisruptionBudget',
  scope: 'Namespaced',
  shortNames: ['pdb'],
  subresources: ['status'],
  deleteReturnsStatus: true,
  listStrategies: { 'status.conditions': { key: 'type' } },
  columns: [
    NAME_COLUMN,
    column('Min Available', (o) => intOrStringCell(getPath(o, 'spec.minAvailable')), {
      description: 'The minimum number of pods that must be available.',
    }),
    column('Max Unavailable', (o) => intOrStringCell(getPath(o, 'spec.maxUnavailable')), {
      description: 'The maximum number of pods that may be unavailable.',
    }),
    column('Allowed Disruptions', (o) => Number(getPath(o, 'status.disruptionsAllowed') ?? 0), {
      type: 'integer',
      description: 'Calculated number of pods that may be disrupted at this time.',
    }),
    AGE_COLUMN,
  ],
  defaultOnCreate(obj) {
    obj.status = {};
  },
  defaultOnWrite(obj) {
    zeroStatusFields(obj, [
      'disruptionsAllowed',
      'currentHealthy',
      'desiredHealthy',
      'expectedPods',
    ]);
  },
  validate: validatePodDisruptionBudget,
});
