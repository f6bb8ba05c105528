import { isPlainObject, type KubeObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column, wide } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { fieldInvalid, fieldRequired, nonNegative } from '../field-errors';
import { goStringMap } from '../go-format';
import { compileSelector, formatLabels, mapSelectorMatches } from '../label-selector-rules';
import { getPath } from '../object-path';
import { defaultPodTemplate } from '../pod-spec-defaults';
import { validateName } from '../validation';
import {
  defaultReplicas,
  readyOf,
  replicasOf,
  specOf,
  templateLabels,
  validateAlwaysRestartingTemplate,
  validateReplicaStatus,
  zeroStatusFields,
} from '../workload-rules';
import { containerColumns, templateStrategies } from '../workload-table';

/** SetDefaults_ReplicationController: selector and labels follow the template's labels. */
function defaultReplicationController(obj: KubeObject): void {
  const spec = specOf(obj);
  defaultReplicas(spec);
  if (isPlainObject(spec.template)) {
    const labels = templateLabels(spec.template);
    if (isPlainObject(labels)) {
      if (!isPlainObject(spec.selector) || Object.keys(spec.selector).length === 0) {
        spec.selector = { ...labels };
      }
      if (!obj.metadata.labels || Object.keys(obj.metadata.labels).length === 0) {
        obj.metadata.labels = { ...(labels as Record<string, string>) };
      }
    }
    defaultPodTemplate(spec.template);
  }
  zeroStatusFields(obj, ['replicas']);
}

/** ValidateReplicationController(Spec) and ValidatePodTemplateSpecForRC. */
function validateReplicationController(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  errors.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  const selector = isPlainObject(spec.selector) ? spec.selector : {};
  if (Object.keys(selector).length === 0) {
    errors.push(fieldRequired('spec.selector'));
  }
  errors.push(...nonNegative(spec.replicas, 'spec.replicas'));
  if (!isPlainObject(spec.template)) {
    errors.push(fieldRequired('spec.template'));
  } else {
    const labels = templateLabels(spec.template);
    if (Object.keys(selector).length > 0 && !mapSelectorMatches(selector, labels)) {
      errors.push(
        fieldInvalid(
          'spec.template.metadata.labels',
          goStringMap(labels),
          '`selector` does not match template `labels`',
        ),
      );
    }
    errors.push(...validateAlwaysRestartingTemplate(spec.template, 'ReplicationController'));
  }
  errors.push(...validateReplicaStatus(obj));
  return errors;
}

export const replicationControllerKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'replicationcontrollers',
  kind: 'ReplicationController',
  scope: 'Namespaced',
  shortNames: ['rc'],
  categories: ['all'],
  subresources: ['status', 'scale'],
  deleteReturnsStatus: true,
  scale: {
    // labels.SelectorFromSet(rc.spec.selector).String()
    selector: (o) => compileSelector({ matchLabels: getPath(o, 'spec.selector') })?.text ?? '',
  },
  listStrategies: templateStrategies(),
  columns: [
    NAME_COLUMN,
    column('Desired', replicasOf, { type: 'integer' }),
    column('Current', (o) => Number(getPath(o, 'status.replicas') ?? 0), { type: 'integer' }),
    column('Ready', (o) => readyOf(o), { type: 'integer' }),
    AGE_COLUMN,
    ...containerColumns(),
    wide('Selector', (o) => formatLabels(getPath(o, 'spec.selector'))),
  ],
  defaultOnCreate(obj) {
    obj.status = {};
  },
  defaultOnWrite: defaultReplicationController,
  validate: validateReplicationController,
});
