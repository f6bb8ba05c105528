import { isPlainObject, type KubeObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { fieldInvalid, nonNegative } from '../field-errors';
import { goLabelSelector } from '../go-format';
import { compileSelector } from '../label-selector-rules';
import { getPath } from '../object-path';
import { defaultPodTemplate } from '../pod-spec-defaults';
import { validateName } from '../validation';
import {
  defaultReplicas,
  immutableSelector,
  readyOf,
  replicasOf,
  specOf,
  templateMatchesSelector,
  templateOf,
  validateAlwaysRestartingTemplate,
  validateReplicaStatus,
  validateRequiredSelector,
  zeroStatusFields,
} from '../workload-rules';
import { containerColumns, selectorColumn, scalableWorkload } from '../workload-table';

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
  errors.push(...validateReplicaStatus(obj));
  errors.push(...immutableSelector(obj, old));
  return errors;
}

export const replicaSetKind = defineKind({
  group: 'apps',
  version: 'v1',
  resource: 'replicasets',
  kind: 'ReplicaSet',
  shortNames: ['rs'],
  ...scalableWorkload,
  columns: [
    NAME_COLUMN,
    column('Desired', replicasOf, { type: 'integer' }),
    column('Current', (o) => Number(getPath(o, 'status.replicas') ?? 0), { type: 'integer' }),
    column('Ready', (o) => readyOf(o), { type: 'integer' }),
    AGE_COLUMN,
    ...containerColumns(),
    selectorColumn(),
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
