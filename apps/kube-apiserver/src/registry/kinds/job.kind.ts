import { cloneJson, isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import { deepEqual } from '../../object/deep-equal';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { humanDuration } from '../../time/kube-time';
import { defineKind } from '../define-kind';
import { fieldInvalid, fieldRequired, immutableField, nonNegative } from '../field-errors';
import { goInt, goLabelSelector, goString, goStringMap, goStruct } from '../go-format';
import { compileSelector, validateLabelSelector } from '../label-selector-rules';
import { getPath, text } from '../object-path';
import { defaultJobSpec, defaultJobTemplatePod, validateJobSpec } from '../job-spec-rules';
import { validateName } from '../validation';
import { specOf, templateMatchesSelector, templateOf } from '../workload-rules';
import { containerColumns, selectorColumn, templateStrategies } from '../workload-table';

/** Labels the api-server generates on a Job's pod template (batch/v1 well-known labels). */
export const JOB_LABELS = {
  controllerUid: 'batch.kubernetes.io/controller-uid',
  jobName: 'batch.kubernetes.io/job-name',
  legacyControllerUid: 'controller-uid',
  legacyJobName: 'job-name',
} as const;

/** generateSelector (pkg/registry/batch/job/strategy.go): labels the template, selects the uid. */
function generateSelector(obj: KubeObject): void {
  const spec = specOf(obj);
  const template = isPlainObject(spec.template) ? spec.template : (spec.template = {});
  const meta = isPlainObject(template.metadata) ? template.metadata : (template.metadata = {});
  const labels = isPlainObject(meta.labels) ? meta.labels : (meta.labels = {});
  const name = obj.metadata.name ?? '';
  const uid = obj.metadata.uid ?? '';
  labels[JOB_LABELS.legacyJobName] ??= name;
  labels[JOB_LABELS.jobName] ??= name;
  labels[JOB_LABELS.legacyControllerUid] ??= uid;
  labels[JOB_LABELS.controllerUid] ??= uid;
  const selector = isPlainObject(spec.selector) ? spec.selector : (spec.selector = {});
  const matchLabels = isPlainObject(selector.matchLabels)
    ? selector.matchLabels
    : (selector.matchLabels = {});
  matchLabels[JOB_LABELS.controllerUid] ??= uid;
}

/** SetDefaults_Job: the spec, and the Job's labels from its template's when it has none. */
function defaultJob(obj: KubeObject): void {
  const spec = specOf(obj);
  defaultJobSpec(spec);
  defaultJobTemplatePod(spec);
  const labels = getPath(spec, 'template.metadata.labels');
  if (isPlainObject(labels) && Object.keys(obj.metadata.labels ?? {}).length === 0) {
    obj.metadata.labels = { ...(labels as Record<string, string>) };
  }
}

/** validateGeneratedSelector: the generated labels must be there and be selected. */
function validateGeneratedSelector(obj: KubeObject, requirePrefixed: boolean): FieldError[] {
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  if (spec.manualSelector === true || !spec.selector) {
    return [];
  }
  const errors: FieldError[] = [];
  const uid = obj.metadata.uid ?? '';
  const name = obj.metadata.name ?? '';
  if (!uid) {
    errors.push(fieldRequired('metadata.uid'));
  }
  const labels = getPath(spec, 'template.metadata.labels');
  const has = (key: string, expected: string) => {
    const actual = isPlainObject(labels) ? labels[key] : undefined;
    const field = `spec.template.metadata.labels[${key}]`;
    if (actual === undefined) {
      errors.push(fieldRequired(field, `must be '${expected}'`));
    } else if (actual !== expected) {
      errors.push(fieldInvalid(field, goStringMap(labels), `must be '${expected}'`));
    }
  };
  has(JOB_LABELS.legacyControllerUid, uid);
  has(JOB_LABELS.legacyJobName, name);
  const expected: Record<string, string> = {
    [JOB_LABELS.legacyControllerUid]: uid,
    [JOB_LABELS.legacyJobName]: name,
  };
  if (requirePrefixed) {
    has(JOB_LABELS.controllerUid, uid);
    has(JOB_LABELS.jobName, name);
    expected[JOB_LABELS.controllerUid] = uid;
    expected[JOB_LABELS.jobName] = name;
  }
  const compiled = compileSelector(spec.selector);
  if (compiled && !compiled.matches(expected)) {
    errors.push(
      fieldInvalid(
        'spec.selector',
        goLabelSelector(spec.selector),
        '`selector` not auto-generated',
      ),
    );
  }
  return errors;
}

/** ValidateJobSpecUpdate: what may not change once a Job exists. */
function validateJobUpdate(spec: JsonObject, old: KubeObject): FieldError[] {
  const oldSpec = isPlainObject(old.spec) ? old.spec : {};
  const errors: FieldError[] = [];
  const changed = (k: string) => !deepEqual(spec[k], oldSpec[k]);
  const indexed = spec.completionMode === 'Indexed';
  if (changed('completions')) {
    if (!indexed) {
      errors.push(fieldInvalid('spec.completions', goInt(spec.completions), 'field is immutable'));
    } else if (spec.completions !== undefined && spec.completions !== spec.parallelism) {
      errors.push(
        fieldInvalid(
          'spec.completions',
          goInt(spec.completions),
          'can only be modified in tandem with spec.parallelism',
        ),
      );
    }
  }
  errors.push(
    ...immutableField(changed('selector'), 'spec.selector', () => goLabelSelector(spec.selector)),
  );
  // Suspended Jobs that never started may change their scheduling directives.
  let template = oldSpec.template;
  if (oldSpec.suspend === true && !getPath(old, 'status.startTime')) {
    const next = cloneJson(isPlainObject(spec.template) ? spec.template : {});
    const old = cloneJson(isPlainObject(oldSpec.template) ? oldSpec.template : {});
    const nextSpec = isPlainObject(next.spec) ? next.spec : {};
    const oldPodSpec = isPlainObject(old.spec) ? old.spec : (old.spec = {});
    for (const k of ['nodeSelector', 'tolerations', 'schedulingGates', 'affinity']) {
      oldPodSpec[k] = nextSpec[k];
    }
    old.metadata = next.metadata;
    template = old;
  }
  errors.push(
    ...immutableField(!deepEqual(spec.template, template), 'spec.template', () =>
      goStruct('core.PodTemplateSpec', spec.template),
    ),
  );
  for (const k of [
    'completionMode',
    'podFailurePolicy',
    'backoffLimitPerIndex',
    'managedBy',
    'successPolicy',
  ]) {
    errors.push(
      ...immutableField(changed(k), `spec.${k}`, () =>
        typeof spec[k] === 'string' ? goString(spec[k]) : goStruct(k, spec[k]),
      ),
    );
  }
  return errors;
}

/** ValidateJob (+ ValidateJobUpdate on updates). */
function validateJob(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const spec = isPlainObject(obj.spec) ? obj.spec : {};
  const oldLabels = old ? getPath(old, 'spec.template.metadata.labels') : undefined;
  const requirePrefixed =
    !old ||
    (isPlainObject(oldLabels) &&
      JOB_LABELS.jobName in oldLabels &&
      JOB_LABELS.controllerUid in oldLabels);
  errors.push(...validateGeneratedSelector(obj, requirePrefixed));
  errors.push(...validateJobSpec(spec, 'spec'));
  if (!spec.selector) {
    errors.push(fieldRequired('spec.selector'));
  } else {
    errors.push(...validateLabelSelector(spec.selector, 'spec.selector'));
  }
  if (compileSelector(spec.selector)) {
    errors.push(...templateMatchesSelector(spec.selector, templateOf(spec)));
  }
  if (
    spec.completionMode === 'Indexed' &&
    typeof spec.completions === 'number' &&
    spec.completions > 0
  ) {
    const hostname = `${obj.metadata.name ?? ''}-${spec.completions - 1}`;
    if (hostname.length > 63 || !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(hostname)) {
      errors.push(
        fieldInvalid(
          'metadata.name',
          goString(obj.metadata.name),
          `will not able to create pod with invalid DNS label: ${hostname}`,
        ),
      );
    }
  }
  if (old) {
    errors.push(...validateJobUpdate(spec, old));
  }
  const status = isPlainObject(obj.status) ? obj.status : {};
  for (const c of ['active', 'succeeded', 'failed', 'ready', 'terminating']) {
    errors.push(...nonNegative(status[c], `status.${c}`));
  }
  return errors;
}

const hasCondition = (o: KubeObject, type: string) =>
  (Array.isArray(getPath(o, 'status.conditions'))
    ? (getPath(o, 'status.conditions') as unknown[])
    : []
  ).some((c) => isPlainObject(c) && c.type === type && c.status === 'True');

/** STATUS column of printJob (1.32). */
function jobStatus(o: KubeObject): string {
  if (hasCondition(o, 'Complete')) {
    return 'Complete';
  }
  if (hasCondition(o, 'Failed')) {
    return 'Failed';
  }
  if (o.metadata.deletionTimestamp) {
    return 'Terminating';
  }
  if (hasCondition(o, 'Suspended')) {
    return 'Suspended';
  }
  if (hasCondition(o, 'FailureTarget')) {
    return 'FailureTarget';
  }
  return 'Running';
}

function jobCompletions(o: KubeObject): string {
  const succeeded = Number(getPath(o, 'status.succeeded') ?? 0);
  const completions = getPath(o, 'spec.completions');
  if (typeof completions === 'number') {
    return `${succeeded}/${completions}`;
  }
  const parallelism = Number(getPath(o, 'spec.parallelism') ?? 0);
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

function jobDuration(o: KubeObject, nowMs: number): string {
  const start = Date.parse(text(getPath(o, 'status.startTime') ?? ''));
  if (Number.isNaN(start)) {
    return '';
  }
  const done = Date.parse(text(getPath(o, 'status.completionTime') ?? ''));
  return humanDuration((Number.isNaN(done) ? nowMs : done) - start);
}

export const jobKind = defineKind({
  group: 'batch',
  version: 'v1',
  resource: 'jobs',
  kind: 'Job',
  scope: 'Namespaced',
  categories: ['all'],
  subresources: ['status'],
  deleteReturnsStatus: true,
  // batch/v1 keeps OrphanDependents as the default policy for compatibility.
  defaultPropagationPolicy: 'Orphan',
  fieldSelectors: {
    'status.successful': (o) => text(getPath(o, 'status.succeeded') ?? 0),
  },
  listStrategies: templateStrategies(),
  columns: [
    NAME_COLUMN,
    column('Status', jobStatus, { description: 'Status of the job.' }),
    column('Completions', jobCompletions),
    column('Duration', jobDuration, { description: 'Time required to complete the job.' }),
    AGE_COLUMN,
    ...containerColumns(),
    selectorColumn(),
  ],
  defaultOnCreate(obj) {
    obj.status = {};
    if (getPath(obj, 'spec.manualSelector') !== true) {
      generateSelector(obj);
    }
  },
  defaultOnWrite: defaultJob,
  validate: validateJob,
});
