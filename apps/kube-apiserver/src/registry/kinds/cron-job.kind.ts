import { CronParseError, parseCronSchedule } from '@app/common';
import { isPlainObject, type JsonObject, type KubeObject } from '../../object/types';
import type { FieldError } from '../../errors/kube-error';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { age } from '../../time/kube-time';
import { defineKind } from '../define-kind';
import { fieldInvalid, fieldNotSupported, fieldRequired, nonNegative } from '../field-errors';
import { goBool, goLabelSelector, goString } from '../go-format';

import { getPath, text } from '../object-path';
import { defaultJobTemplatePod, validateJobSpec } from '../job-spec-rules';
import { podSpecStrategies } from '../pod-spec-strategies';
import { validateName } from '../validation';
import { specOf } from '../workload-rules';
import { containerColumns, selectorColumn } from '../workload-table';

/** SetDefaults_CronJob; the job template's pod template gets the PodSpec defaults. */
function defaultCronJob(obj: KubeObject): void {
  const spec = specOf(obj);
  spec.concurrencyPolicy ||= 'Allow';
  spec.suspend ??= false;
  spec.successfulJobsHistoryLimit ??= 3;
  spec.failedJobsHistoryLimit ??= 1;
  const jobTemplate = isPlainObject(spec.jobTemplate) ? spec.jobTemplate : (spec.jobTemplate = {});
  const meta = isPlainObject(jobTemplate.metadata)
    ? jobTemplate.metadata
    : (jobTemplate.metadata = {});
  if (!('creationTimestamp' in meta)) {
    meta.creationTimestamp = null;
  }
  const jobSpec = isPlainObject(jobTemplate.spec) ? jobTemplate.spec : (jobTemplate.spec = {});
  defaultJobTemplatePod(jobSpec);
}

/** validateScheduleFormat: robfig/cron's ParseStandard plus the TZ rules. */
function validateSchedule(schedule: string, allowTz: boolean, timeZone: unknown): FieldError[] {
  const errors: FieldError[] = [];
  try {
    parseCronSchedule(schedule);
  } catch (error) {
    if (!(error instanceof CronParseError)) {
      throw error;
    }
    errors.push(fieldInvalid('spec.schedule', goString(schedule), error.message));
  }
  if (allowTz && schedule.includes('TZ') && timeZone !== undefined && timeZone !== null) {
    errors.push(
      fieldInvalid(
        'spec.schedule',
        goString(schedule),
        'cannot use both timeZone field and TZ or CRON_TZ in schedule',
      ),
    );
  } else if (!allowTz && schedule.includes('TZ')) {
    errors.push(
      fieldInvalid(
        'spec.schedule',
        goString(schedule),
        'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ),
    );
  }
  return errors;
}

const TZ_PART = /^[A-Za-z.\-_0-9+]{1,14}$/;

/** validateTimeZone: IANA names as Go's time.LoadLocation knows them. */
function validateTimeZone(timeZone: unknown): FieldError[] {
  if (timeZone === undefined || timeZone === null) {
    return [];
  }
  const tz = text(timeZone);
  const bad = (detail: string) => [fieldInvalid('spec.timeZone', goString(tz), detail)];
  if (tz === '') {
    return bad('timeZone must be nil or non-empty string');
  }
  for (const part of tz.split('/')) {
    if (part === '.' || part === '..' || part.startsWith('-') || !TZ_PART.test(part)) {
      return bad(`unknown time zone ${tz}`);
    }
  }
  if (tz.toLowerCase() === 'local') {
    return bad(
      'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones',
    );
  }
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
  } catch {
    return bad(`unknown time zone ${tz}`);
  }
  return [];
}

function validateCronJob(obj: KubeObject, old: KubeObject | undefined): FieldError[] {
  const errors = old ? [] : validateName(obj.metadata.name, 'subdomain');
  const spec: JsonObject = isPlainObject(obj.spec) ? obj.spec : {};
  const oldSpec: JsonObject | undefined = old && isPlainObject(old.spec) ? old.spec : undefined;
  const schedule = typeof spec.schedule === 'string' ? spec.schedule : '';
  if (schedule === '') {
    errors.push(fieldRequired('spec.schedule'));
  } else {
    const allowTz = text(oldSpec?.schedule ?? '').includes('TZ');
    errors.push(...validateSchedule(schedule, allowTz, spec.timeZone));
  }
  errors.push(...nonNegative(spec.startingDeadlineSeconds, 'spec.startingDeadlineSeconds'));
  if (!oldSpec || oldSpec.timeZone !== spec.timeZone) {
    errors.push(...validateTimeZone(spec.timeZone));
  }
  const policy = spec.concurrencyPolicy;
  if (policy === undefined || policy === '') {
    errors.push(fieldRequired('spec.concurrencyPolicy'));
  } else if (!['Allow', 'Forbid', 'Replace'].includes(text(policy))) {
    errors.push(
      fieldNotSupported('spec.concurrencyPolicy', goString(policy), ['Allow', 'Forbid', 'Replace']),
    );
  }
  const jobSpec = getPath(spec, 'jobTemplate.spec');
  const js: JsonObject = isPlainObject(jobSpec) ? jobSpec : {};
  errors.push(...validateJobSpec(js, 'spec.jobTemplate.spec'));
  if (js.selector !== undefined && js.selector !== null) {
    errors.push(
      fieldInvalid(
        'spec.jobTemplate.spec.selector',
        goLabelSelector(js.selector),
        '`selector` will be auto-generated',
      ),
    );
  }
  if (js.manualSelector === true) {
    errors.push(
      fieldNotSupported('spec.jobTemplate.spec.manualSelector', goBool(true), ['nil', 'false']),
    );
  }
  errors.push(...nonNegative(spec.successfulJobsHistoryLimit, 'spec.successfulJobsHistoryLimit'));
  errors.push(...nonNegative(spec.failedJobsHistoryLimit, 'spec.failedJobsHistoryLimit'));
  // The controller names Jobs `<cronjob>-<11 digits>`, which must stay a 63-character label.
  if (!old && (obj.metadata.name ?? '').length > 52) {
    errors.push(
      fieldInvalid(
        'metadata.name',
        goString(obj.metadata.name),
        'must be no more than 52 characters',
      ),
    );
  }
  return errors;
}

export const cronJobKind = defineKind({
  group: 'batch',
  version: 'v1',
  resource: 'cronjobs',
  kind: 'CronJob',
  scope: 'Namespaced',
  shortNames: ['cj'],
  categories: ['all'],
  subresources: ['status'],
  deleteReturnsStatus: true,
  listStrategies: {
    ...podSpecStrategies('spec.jobTemplate.spec.template.spec'),
    'status.active': { key: 'uid' },
  },
  columns: [
    NAME_COLUMN,
    column('Schedule', (o) => getPath(o, 'spec.schedule') ?? ''),
    column('Timezone', (o) => getPath(o, 'spec.timeZone') ?? '<none>'),
    column(
      'Suspend',
      (o) => {
        const suspend = getPath(o, 'spec.suspend');
        return typeof suspend === 'boolean' ? (suspend ? 'True' : 'False') : '<unset>';
      },
      { type: 'boolean' },
    ),
    column(
      'Active',
      (o) => {
        const active = getPath(o, 'status.active');
        return Array.isArray(active) ? active.length : 0;
      },
      { type: 'integer' },
    ),
    column('Last Schedule', (o, now) => {
      const last = getPath(o, 'status.lastScheduleTime');
      return typeof last === 'string' ? age(last, now) : '<none>';
    }),
    AGE_COLUMN,
    ...containerColumns('spec.jobTemplate.spec.template.spec'),
    selectorColumn('spec.jobTemplate.spec.selector'),
  ],
  defaultOnCreate(obj) {
    obj.status = {};
  },
  defaultOnWrite: defaultCronJob,
  validate: validateCronJob,
});
