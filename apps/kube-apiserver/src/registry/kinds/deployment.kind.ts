import { isPlainObject, type KubeObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column, wide } from '../../tables/columns';
import { defineKind } from '../define-kind';
import {
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  nonNegative,
} from '../field-errors';
import { goInt, goIntOrString, goLabelSelector, goPointer, goRaw, goString } from '../go-format';
import { compileSelector } from '../label-selector-rules';
import { getPath } from '../object-path';
import { defaultPodTemplate } from '../pod-spec-defaults';
import { validateName } from '../validation';
import {
  defaultReplicas,
  immutableSelector,
  intOrPercentValue,
  notMoreThan100Percent,
  readyOf,
  replicasOf,
  specOf,
  templateMatchesSelector,
  templateOf,
  validateAlwaysRestartingTemplate,
  validateIntOrPercent,
  validateRequiredSelector,
  validateStatusCounters,
} from '../workload-rules';
import { containerColumns, scalableWorkload } from '../workload-table';

/** SetDefaults_Deployment (pkg/apis/apps/v1/defaults.go). */
function defaultDeployment(obj: KubeObject): void {
  const spec = specOf(obj);
  defaultReplicas(spec);
  const strategy = isPlainObject(spec.strategy) ? spec.strategy : (spec.strategy = {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = isPlainObject(strategy.rollingUpdate)
      ? strategy.rollingUpdate
      : (strategy.rollingUpdate = {});
    rolling.maxUnavailable ??= '25%';
    rolling.maxSurge ??= '25%';
  }
  spec.revisionHistoryLimit ??= 10;
  spec.progressDeadlineSeconds ??= 600;
  if (!isPlainObject(spec.template)) {
    spec.template = {};
  }
  defaultPodTemplate(spec.template);
}

function validateStrategy(strategy: unknown): FieldError[] {
  const s = isPlainObject(strategy) ? strategy : {};
  switch (s.type) {
    case 'Recreate':
      return s.rollingUpdate === undefined || s.rollingUpdate === null
        ? []
        : [
            fieldForbidden(
              'spec.strategy.rollingUpdate',
              "may not be specified when strategy `type` is 'Recreate'",
            ),
          ];
    case 'RollingUpdate': {
      if (!isPlainObject(s.rollingUpdate)) {
        return [
          fieldRequired('spec.strategy.rollingUpdate', 'this should be defaulted and never be nil'),
        ];
      }
      const at = 'spec.strategy.rollingUpdate';
      const { maxUnavailable, maxSurge } = s.rollingUpdate;
      const errors = [
        ...validateIntOrPercent(maxUnavailable, `${at}.maxUnavailable`),
        ...validateIntOrPercent(maxSurge, `${at}.maxSurge`),
      ];
      if (intOrPercentValue(maxUnavailable) === 0 && intOrPercentValue(maxSurge) === 0) {
        errors.push(
          fieldInvalid(
            `${at}.maxUnavailable`,
            goIntOrString(maxUnavailable),
            'may not be 0 when `maxSurge` is 0',
          ),
        );
      }
      errors.push(...notMoreThan100Percent(maxUnavailable, `${at}.maxUnavailable`));
      return errors;
    }
    default:
      // NotSupported prints the whole strategy struct.
      return [
        fieldNotSupported(
          'spec.strategy',
          goRaw(
            `apps.DeploymentStrategy{Type:${goString(s.type)}, RollingUpdate:${goPointer('apps.RollingUpdateDeployment', isPlainObject(s.rollingUpdate))}}`,
          ),
          ['Recreate', 'RollingUpdate'],
        ),
      ];
  }
}

/** ValidateDeployment / ValidateDeploymentUpdate + the apps/v1 immutable selector. */
function validateDeployment(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  errors.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errors.push(...validateRequiredSelector(spec.selector, 'deployment'));
  if (compileSelector(spec.selector)) {
    errors.push(...templateMatchesSelector(spec.selector, templateOf(spec)));
    errors.push(...validateAlwaysRestartingTemplate(templateOf(spec), 'ReplicaSet'));
  } else {
    errors.push(
      fieldInvalid('spec.selector', goLabelSelector(spec.selector), 'invalid label selector'),
    );
  }
  errors.push(...validateStrategy(spec.strategy));
  errors.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errors.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (typeof spec.progressDeadlineSeconds === 'number') {
    errors.push(...nonNegative(spec.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (spec.progressDeadlineSeconds <= Number(spec.minReadySeconds ?? 0)) {
      errors.push(
        fieldInvalid(
          'spec.progressDeadlineSeconds',
          goInt(spec.progressDeadlineSeconds),
          'must be greater than minReadySeconds',
        ),
      );
    }
  }
  errors.push(
    ...validateStatusCounters(
      obj,
      [
        'observedGeneration',
        'replicas',
        'updatedReplicas',
        'readyReplicas',
        'availableReplicas',
        'unavailableReplicas',
        'collisionCount',
      ],
      ['updatedReplicas', 'readyReplicas', 'availableReplicas'],
    ),
  );
  errors.push(...immutableSelector(obj, old));
  return errors;
}

export const deploymentKind = defineKind({
  group: 'apps',
  version: 'v1',
  resource: 'deployments',
  kind: 'Deployment',
  shortNames: ['deploy'],
  ...scalableWorkload,
  columns: [
    NAME_COLUMN,
    column('Ready', (o) => `${readyOf(o)}/${replicasOf(o)}`, {
      description: 'Number of the pod with ready state',
    }),
    column('Up-to-date', (o) => Number(getPath(o, 'status.updatedReplicas') ?? 0)),
    column('Available', (o) => Number(getPath(o, 'status.availableReplicas') ?? 0)),
    AGE_COLUMN,
    ...containerColumns(),
    wide('Selector', (o) => compileSelector(getPath(o, 'spec.selector'))?.text ?? '<invalid>'),
  ],
  // Annotations are copied to ReplicaSets, so they bump the generation too (deployment strategy).
  generationSource: (o) => ({ spec: o.spec, annotations: o.metadata.annotations ?? {} }),
  defaultOnCreate(obj) {
    obj.status = {};
  },
  defaultOnWrite: defaultDeployment,
  validate: validateDeployment,
});
