import { isPlainObject, type KubeObject } from '../../api/types';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column, wide } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { fieldInvalid, nonNegative } from '../field-errors';
import { goInt, goLabelSelector } from '../go-format';
import { compileSelector, formatLabelSelector } from '../label-selector-rules';
import { getPath } from '../object-path';
import { defaultPodTemplate } from '../pod-spec-defaults';
import { podSpecStrategies } from '../pod-spec-strategies';
import { validateName } from '../validation';
import {
  containerCells,
  defaultReplicas,
  immutableSelector,
  labelSelectorText,
  readyOf,
  replicasOf,
  specOf,
  templateContainers,
  templateMatchesSelector,
  templateOf,
  validateAlwaysRestartingTemplate,
  validateRequiredSelector,
  validateStatusCounters,
  zeroStatusFields,
} from '../workload-rules';

function validateReplicaSet(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  errors.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errors.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  // Upstream's ValidateReplicaSetSpec reuses the Deployment wording.
  errors.push(...validateRequiredSelector(spec.selector, 'deployment'));
  if (compileSelector(spec.selector)) {
    errors.push(...templateMatchesSelector(spec.selector, templateOf(spec)));
    errors.push(...validateAlwaysRestartingTemplate(templateOf(spec), 'ReplicaSet'));
  } else {
    errors.push(
      fieldInvalid('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'),
    );
  }
  errors.push(
    ...validateStatusCounters(
      obj,
      [
        'replicas',
        'fullyLabeledReplicas',
        'readyReplicas',
        'availableReplicas',
        'observedGeneration',
      ],
      ['fullyLabeledReplicas', 'readyReplicas', 'availableReplicas'],
    ),
  );
  const status = isPlainObject(obj.status) ? obj.status : {};
  if (Number(status.availableReplicas ?? 0) > Number(status.readyReplicas ?? 0)) {
    errors.push(
      fieldInvalid(
        'status.availableReplicas',
        goInt(status.availableReplicas),
        'cannot be greater than readyReplicas',
      ),
    );
  }
  errors.push(...immutableSelector(obj, old));
  return errors;
}

export const replicaSetKind = defineKind({
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  kind: 'ReplicaSet',
  scope: 'Namespaced',
  shortNames: ['rs'],
  categories: ['all'],
  deleteReturnsStatus: true,
  subresources: ['status', 'scale'],
  scale: { selector: labelSelectorText },
  listStrategies: {
    ...podSpecStrategies('spec.template.spec'),
    'status.conditions': { key: 'type' },
  },
  columns: [
    NAME_COLUMN,
    column('Desired', replicasOf, { type: 'integer' }),
    column('Current', (o) => Number(getPath(o, 'status.replicas') ?? 0), { type: 'integer' }),
    column('Ready', (o) => readyOf(o), { type: 'integer' }),
    AGE_COLUMN,
    wide('Containers', (o) => containerCells(templateContainers(o)).names),
    wide('Images', (o) => containerCells(templateContainers(o)).images),
    wide('Selector', (o) => formatLabelSelector(getPath(o, 'spec.selector'))),
  ],
  defaultOnCreate(obj) {
    obj.status = {};
  },
  defaultOnWrite(obj) {
    const spec = specOf(obj);
    defaultReplicas(spec);
    if (!isPlainObject(spec.template)) {
      spec.template = {};
    }
    defaultPodTemplate(spec.template);
    zeroStatusFields(obj, ['replicas']);
  },
  validate: validateReplicaSet,
});
