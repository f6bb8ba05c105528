import { cloneJson, isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import { deepEqual } from '../../object/deep-equal';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import {
  fieldForbidden,
  fieldInvalid,
  fieldNotSupported,
  fieldRequired,
  nonNegative,
} from '../field-errors';
import { goInt, goIntOrString, goLabelSelector, goString, goStruct } from '../go-format';
import { compileSelector, validateLabels } from '../label-selector-rules';
import { defaultClaimTemplate, defaultPodTemplate } from '../pod-spec-defaults';
import { validateName } from '../validation';
import {
  alwaysRestartingRules,
  defaultReplicas,
  intOrPercentValue,
  notMoreThan100Percent,
  readyOf,
  replicasOf,
  specOf,
  templateMatchesSelector,
  templateOf,
  validateIntOrPercent,
  validateRequiredSelector,
  validateStatusCounters,
  zeroStatusFields,
} from '../workload-rules';
import { containerColumns, scalableWorkload } from '../workload-table';

/** SetDefaults_StatefulSet (StatefulSetAutoDeletePVC is on by default since 1.27). */
function defaultStatefulSet(obj: KubeObject): void {
  const spec = specOf(obj);
  spec.podManagementPolicy ||= 'OrderedReady';
  const strategy = isPlainObject(spec.updateStrategy)
    ? spec.updateStrategy
    : (spec.updateStrategy = {});
  if (!strategy.type) {
    strategy.type = 'RollingUpdate';
    if (!isPlainObject(strategy.rollingUpdate)) {
      strategy.rollingUpdate = {};
    }
  }
  if (strategy.type === 'RollingUpdate' && isPlainObject(strategy.rollingUpdate)) {
    strategy.rollingUpdate.partition ??= 0;
  }
  const retention = isPlainObject(spec.persistentVolumeClaimRetentionPolicy)
    ? spec.persistentVolumeClaimRetentionPolicy
    : (spec.persistentVolumeClaimRetentionPolicy = {});
  retention.whenDeleted ||= 'Retain';
  retention.whenScaled ||= 'Retain';
  defaultReplicas(spec);
  spec.revisionHistoryLimit ??= 10;
  if (!isPlainObject(spec.template)) {
    spec.template = {};
  }
  defaultPodTemplate(spec.template);
  if (Array.isArray(spec.volumeClaimTemplates)) {
    spec.volumeClaimTemplates.filter(isPlainObject).forEach((c) => defaultClaimTemplate(c));
  }
  zeroStatusFields(obj, ['replicas', 'availableReplicas']);
}

function validateStrategy(spec: JsonObject): FieldError[] {
  const strategy = isPlainObject(spec.updateStrategy) ? spec.updateStrategy : {};
  const rolling = strategy.rollingUpdate;
  switch (strategy.type) {
    case undefined:
    case '':
      return [fieldRequired('spec.updateStrategy')];
    case 'OnDelete':
      return isPlainObject(rolling)
        ? [
            fieldInvalid(
              'spec.updateStrategy.rollingUpdate',
              goStruct('apps.RollingUpdateStatefulSetStrategy', rolling),
              "only allowed for updateStrategy 'RollingUpdate'",
            ),
          ]
        : [];
    case 'RollingUpdate': {
      if (!isPlainObject(rolling)) {
        return [];
      }
      const at = 'spec.updateStrategy.rollingUpdate';
      const errors = nonNegative(rolling.partition, `${at}.partition`);
      if (rolling.maxUnavailable !== undefined && rolling.maxUnavailable !== null) {
        errors.push(...validateIntOrPercent(rolling.maxUnavailable, `${at}.maxUnavailable`));
        if (intOrPercentValue(rolling.maxUnavailable) === 0) {
          errors.push(
            fieldInvalid(
              `${at}.maxUnavailable`,
              goIntOrString(rolling.maxUnavailable),
              'cannot be 0',
            ),
          );
        }
        errors.push(...notMoreThan100Percent(rolling.maxUnavailable, `${at}.maxUnavailable`));
      }
      return errors;
    }
    default:
      return [
        fieldInvalid(
          'spec.updateStrategy',
          goStruct('apps.StatefulSetUpdateStrategy', strategy),
          "must be 'RollingUpdate' or 'OnDelete'",
        ),
      ];
  }
}

function validateRetention(spec: JsonObject): FieldError[] {
  const policy = spec.persistentVolumeClaimRetentionPolicy;
  if (!isPlainObject(policy)) {
    return [];
  }
  const errors: FieldError[] = [];
  for (const key of ['whenDeleted', 'whenScaled']) {
    if (policy[key] !== 'Retain' && policy[key] !== 'Delete') {
      errors.push(
        fieldNotSupported(
          `spec.persistentVolumeClaimRetentionPolicy.${key}`,
          goString(policy[key]),
          ['Retain', 'Delete'],
        ),
      );
    }
  }
  return errors;
}

/** ValidateStatefulSetSpec (the pod spec itself is not validated upstream, only its labels). */
function validateSpec(spec: JsonObject): FieldError[] {
  const errors: FieldError[] = [];
  const policy = spec.podManagementPolicy;
  if (policy === undefined || policy === '') {
    errors.push(fieldRequired('spec.podManagementPolicy'));
  } else if (policy !== 'OrderedReady' && policy !== 'Parallel') {
    errors.push(
      fieldInvalid(
        'spec.podManagementPolicy',
        goString(policy),
        "must be 'OrderedReady' or 'Parallel'",
      ),
    );
  }
  errors.push(...validateStrategy(spec));
  errors.push(...validateRetention(spec));
  errors.push(...nonNegative(spec.replicas, 'spec.replicas'));
  errors.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  if (isPlainObject(spec.ordinals)) {
    errors.push(...nonNegative(spec.ordinals.start, 'spec.ordinals.start'));
  }
  errors.push(...validateRequiredSelector(spec.selector, 'statefulset'));
  const template = templateOf(spec);
  if (compileSelector(spec.selector)) {
    errors.push(...templateMatchesSelector(spec.selector, template));
    const meta = isPlainObject(template.metadata) ? template.metadata : {};
    errors.push(...validateLabels(meta.labels, 'spec.template.labels'));
  } else {
    errors.push(fieldInvalid('spec.selector', goLabelSelector(spec.selector)));
  }
  errors.push(...alwaysRestartingRules(template, 'StatefulSet'));
  return errors;
}

/** Fields a StatefulSet update may change (ValidateStatefulSetUpdate). */
const MUTABLE = [
  'replicas',
  'template',
  'updateStrategy',
  'minReadySeconds',
  'ordinals',
  'persistentVolumeClaimRetentionPolicy',
];

function validateStatefulSet(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'label');
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  errors.push(...validateSpec(spec));
  if (old) {
    const strip = (s: unknown) => {
      const copy = cloneJson(isPlainObject(s) ? s : {});
      MUTABLE.forEach((k) => delete copy[k]);
      return copy;
    };
    if (!deepEqual(strip(obj.spec), strip(old.spec))) {
      errors.push(
        fieldForbidden(
          'spec',
          "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden",
        ),
      );
    }
  }
  errors.push(
    ...validateStatusCounters(
      obj,
      [
        'replicas',
        'readyReplicas',
        'currentReplicas',
        'updatedReplicas',
        'availableReplicas',
        'observedGeneration',
        'collisionCount',
      ],
      ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'availableReplicas'],
    ),
  );
  const status = isPlainObject(obj.status) ? obj.status : {};
  if (Number(status.availableReplicas ?? 0) > Number(status.readyReplicas ?? 0)) {
    errors.push(
      fieldInvalid(
        'status.availableReplicas',
        goInt(status.availableReplicas),
        'cannot be greater than status.readyReplicas',
      ),
    );
  }
  return errors;
}

export const statefulSetKind = defineKind({
  group: 'apps',
  version: 'v1',
  resource: 'statefulsets',
  kind: 'StatefulSet',
  shortNames: ['sts'],
  ...scalableWorkload,
  columns: [
    NAME_COLUMN,
    column('Ready', (o) => `${readyOf(o)}/${replicasOf(o)}`, {
      description: 'Number of the pod with ready state',
    }),
    AGE_COLUMN,
    ...containerColumns(),
  ],
  defaultOnCreate(obj) {
    obj.status = {};
  },
  defaultOnWrite: defaultStatefulSet,
  validate: validateStatefulSet,
});
