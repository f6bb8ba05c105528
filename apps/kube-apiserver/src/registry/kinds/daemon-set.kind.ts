import { isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import { deepEqual } from '../../object/deep-equal';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { defineKind } from '../define-kind';
import { fieldInvalid, fieldNotSupported, fieldRequired, nonNegative } from '../field-errors';
import { goIntOrString, goLabelSelector, goStruct } from '../go-format';
import { formatLabels, validateLabelSelector } from '../label-selector-rules';
import { getPath } from '../object-path';
import { defaultPodTemplate } from '../pod-spec-defaults';
import { validateName } from '../validation';
import {
  immutableSelector,
  intOrPercentValue,
  notMoreThan100Percent,
  specOf,
  templateMatchesSelector,
  templateOf,
  validateAlwaysRestartingTemplate,
  validateIntOrPercent,
  validateStatusCounters,
  zeroStatusFields,
} from '../workload-rules';
import { containerColumns, selectorColumn, templateStrategies } from '../workload-table';

/**
 * The internal `spec.templateGeneration`, which apps/v1 carries as this annotation
 * (the DaemonSet controller labels pods `pod-template-generation` from it).
 */
export const TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';

function defaultDaemonSet(obj: KubeObject): void {
  const spec = specOf(obj);
  const strategy = isPlainObject(spec.updateStrategy)
    ? spec.updateStrategy
    : (spec.updateStrategy = {});
  strategy.type ||= 'RollingUpdate';
  if (strategy.type === 'RollingUpdate') {
    const rolling = isPlainObject(strategy.rollingUpdate)
      ? strategy.rollingUpdate
      : (strategy.rollingUpdate = {});
    rolling.maxUnavailable ??= 1;
    rolling.maxSurge ??= 0;
  }
  spec.revisionHistoryLimit ??= 10;
  if (!isPlainObject(spec.template)) {
    spec.template = {};
  }
  defaultPodTemplate(spec.template);
  zeroStatusFields(obj, [
    'currentNumberScheduled',
    'numberMisscheduled',
    'desiredNumberScheduled',
    'numberReady',
  ]);
}

function templateGeneration(obj: KubeObject): number {
  return Number(obj.metadata.annotations?.[TEMPLATE_GENERATION_ANNOTATION] ?? 0) || 0;
}

function setTemplateGeneration(obj: KubeObject, value: number): void {
  obj.metadata.annotations = {
    ...(obj.metadata.annotations ?? {}),
    [TEMPLATE_GENERATION_ANNOTATION]: String(value),
  };
}

function validateStrategy(strategy: unknown): FieldError[] {
  const s = isPlainObject(strategy) ? strategy : {};
  const at = 'spec.updateStrategy';
  switch (s.type) {
    case 'OnDelete':
      return [];
    case 'RollingUpdate': {
      if (!isPlainObject(s.rollingUpdate)) {
        return [fieldRequired(`${at}.rollingUpdate`)];
      }
      const { maxUnavailable, maxSurge } = s.rollingUpdate;
      const errors = [
        ...validateIntOrPercent(maxUnavailable, `${at}.rollingUpdate.maxUnavailable`),
        ...validateIntOrPercent(maxSurge, `${at}.rollingUpdate.maxSurge`),
        ...notMoreThan100Percent(maxUnavailable, `${at}.rollingUpdate.maxUnavailable`),
        ...notMoreThan100Percent(maxSurge, `${at}.rollingUpdate.maxSurge`),
      ];
      const hasUnavailable = intOrPercentValue(maxUnavailable) !== 0;
      const hasSurge = intOrPercentValue(maxSurge) !== 0;
      if (hasUnavailable && hasSurge) {
        errors.push(
          fieldInvalid(
            `${at}.rollingUpdate.maxSurge`,
            goIntOrString(maxSurge),
            'may not be set when maxUnavailable is non-zero',
          ),
        );
      } else if (!hasUnavailable && !hasSurge) {
        errors.push(
          fieldRequired(`${at}.rollingUpdate.maxUnavailable`, 'cannot be 0 when maxSurge is 0'),
        );
      }
      return errors;
    }
    default:
      return [
        fieldNotSupported(at, goStruct('apps.DaemonSetUpdateStrategy', s), [
          'RollingUpdate',
          'OnDelete',
        ]),
      ];
  }
}

/** ValidateDaemonSetSpec + the apps/v1 immutable selector. */
function validateDaemonSet(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const spec: JsonObject = isPlainObject(obj.spec) ? obj.spec : {};
  errors.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  errors.push(...templateMatchesSelector(spec.selector, templateOf(spec)));
  const selector = isPlainObject(spec.selector) ? spec.selector : undefined;
  if (
    selector &&
    (isPlainObject(selector.matchLabels) ? Object.keys(selector.matchLabels).length : 0) +
      (Array.isArray(selector.matchExpressions) ? selector.matchExpressions.length : 0) ===
      0
  ) {
    errors.push(
      fieldInvalid(
        'spec.selector',
        goLabelSelector(selector),
        'empty selector is invalid for daemonset',
      ),
    );
  }
  errors.push(...validateAlwaysRestartingTemplate(templateOf(spec), 'DaemonSet'));
  errors.push(...nonNegative(spec.minReadySeconds, 'spec.minReadySeconds'));
  errors.push(...validateStrategy(spec.updateStrategy));
  errors.push(...nonNegative(spec.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  errors.push(
    ...validateStatusCounters(
      obj,
      [
        'currentNumberScheduled',
        'numberMisscheduled',
        'desiredNumberScheduled',
        'numberReady',
        'observedGeneration',
        'updatedNumberScheduled',
        'numberAvailable',
        'numberUnavailable',
        'collisionCount',
      ],
      [],
    ),
  );
  errors.push(...immutableSelector(obj, old));
  return errors;
}

const count = (path: string) => (o: KubeObject) => Number(getPath(o, path) ?? 0);

export const daemonSetKind = defineKind({
  group: 'apps',
  version: 'v1',
  resource: 'daemonsets',
  kind: 'DaemonSet',
  scope: 'Namespaced',
  shortNames: ['ds'],
  categories: ['all'],
  deleteReturnsStatus: true,
  subresources: ['status'],
  listStrategies: templateStrategies(),
  columns: [
    NAME_COLUMN,
    column('Desired', count('status.desiredNumberScheduled'), { type: 'integer' }),
    column('Current', count('status.currentNumberScheduled'), { type: 'integer' }),
    column('Ready', count('status.numberReady'), { type: 'integer' }),
    column('Up-to-date', count('status.updatedNumberScheduled'), { type: 'integer' }),
    column('Available', count('status.numberAvailable'), { type: 'integer' }),
    column('Node Selector', (o) => formatLabels(getPath(o, 'spec.template.spec.nodeSelector'))),
    AGE_COLUMN,
    ...containerColumns(),
    selectorColumn(),
  ],
  defaultOnCreate(obj) {
    obj.status = {};
    setTemplateGeneration(obj, 1);
  },
  prepareForUpdate(obj, old) {
    // templateGeneration is server-owned: it follows template changes only.
    const changed = !deepEqual(getPath(obj, 'spec.template'), getPath(old, 'spec.template'));
    setTemplateGeneration(obj, templateGeneration(old) + (changed ? 1 : 0));
  },
  defaultOnWrite: defaultDaemonSet,
  validate: validateDaemonSet,
});
