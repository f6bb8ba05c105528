import type { FieldError } from '../../errors/kube-error';
import type { KubeObject } from '../../object/types';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { fieldForbidden, immutableField } from '../field-errors';
import { preemptionPolicyErrors } from '../pod-spec-validation';
import { goString } from '../go-format';
import { validateName } from '../validation';

/** pkg/apis/scheduling: the highest value a user-defined PriorityClass may have. */
const HIGHEST_USER_DEFINABLE_PRIORITY = 1_000_000_000;
const SYSTEM_PRIORITY_CLASS_PREFIX = 'system-';

/** scheduling.SystemPriorityClasses(): what the api-server's post-start hook creates. */
export const SYSTEM_PRIORITY_CLASSES: {
  name: string;
  value: number;
  description: string;
}[] = [
  {
    name: 'system-node-critical',
    value: 2_000_001_000,
    description: 'Used for system critical pods that must not be moved from their current node.',
  },
  {
    name: 'system-cluster-critical',
    value: 2_000_000_000,
    description:
      'Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.',
  },
];

/** scheduling.IsKnownSystemPriorityClass: the error text, or undefined when it is one. */
function knownSystemClassError(name: string, value: unknown, globalDefault: unknown): string {
  const known = SYSTEM_PRIORITY_CLASSES.find((c) => c.name === name);
  if (!known) {
    return `${name} is not a known system priority class`;
  }
  if (value !== known.value) {
    return `value of ${name} PriorityClass must be ${known.value}`;
  }
  if (globalDefault === true) {
    return `globalDefault of ${name} PriorityClass must be false`;
  }
  return '';
}

/** ValidatePriorityClass and ValidatePriorityClassUpdate (pkg/apis/scheduling/validation). */
function validatePriorityClass(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const name = obj.metadata.name ?? '';
  const errors = old ? [] : validateName(name, 'subdomain');
  if (name.startsWith(SYSTEM_PRIORITY_CLASS_PREFIX)) {
    const error = knownSystemClassError(name, obj.value, obj.globalDefault);
    if (error) {
      errors.push(
        fieldForbidden(
          'metadata.name',
          `priority class names with '${SYSTEM_PRIORITY_CLASS_PREFIX}' prefix are reserved for system use only. error: ${error}`,
        ),
      );
    }
  } else if (typeof obj.value === 'number' && obj.value > HIGHEST_USER_DEFINABLE_PRIORITY) {
    errors.push(
      fieldForbidden(
        'value',
        `maximum allowed value of a user defined priority is ${HIGHEST_USER_DEFINABLE_PRIORITY}`,
      ),
    );
  }
  errors.push(...preemptionPolicyErrors(obj.preemptionPolicy, 'preemptionPolicy'));
  if (old) {
    if ((obj.value ?? 0) !== (old.value ?? 0)) {
      errors.push(fieldForbidden('value', 'may not be changed in an update.'));
    }
    errors.push(
      ...immutableField(obj.preemptionPolicy !== old.preemptionPolicy, 'preemptionPolicy', () =>
        goString(obj.preemptionPolicy),
      ),
    );
  }
  return errors;
}

export const priorityClassKind = defineKind({
  group: 'scheduling.k8s.io',
  version: 'v1',
  resource: 'priorityclasses',
  kind: 'PriorityClass',
  scope: 'Cluster',
  shortNames: ['pc'],
  deleteReturnsStatus: true,
  columns: [
    NAME_COLUMN,
    column('Value', (o) => Number(o.value ?? 0), {
      type: 'integer',
      description:
        'value represents the integer value of this priority class. This is the actual priority that pods receive when they have the name of this class in their pod spec.',
    }),
    column('Global-Default', (o) => o.globalDefault === true, {
      type: 'boolean',
      description:
        'globalDefault specifies whether this PriorityClass should be considered as the default priority for pods that do not have any priority class. Only one PriorityClass can be marked as `globalDefault`. However, if more than one PriorityClasses exists with their `globalDefault` field set to true, the smallest value of such global default PriorityClasses will be used as the default priority.',
    }),
    AGE_COLUMN,
    column('PreemptionPolicy', (o) => o.preemptionPolicy ?? '', {
      description:
        'preemptionPolicy is the Policy for preempting pods with lower priority. One of Never, PreemptLowerPriority. Defaults to PreemptLowerPriority if unset.',
    }),
  ],
  defaultOnCreate(obj) {
    // priorityClassStrategy.PrepareForCreate starts the generation; nothing bumps it later.
    obj.metadata.generation = 1;
  },
  generationSource: () => undefined,
  defaultOnWrite(obj) {
    obj.preemptionPolicy ??= 'PreemptLowerPriority';
    obj.value ??= 0; // an int32 without omitempty: always present
  },
  validate: validatePriorityClass,
});
