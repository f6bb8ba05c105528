import { isPlainObject } from '../../object/types';
import { defineKind } from '../define-kind';
import { validateName } from '../validation';
import { AGE_COLUMN, NAME_COLUMN, column } from '../../tables/columns';
import { getArray } from '../object-path';

const count = (v: unknown): number => (isPlainObject(v) ? Object.keys(v).length : 0);

export const configMapKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'configmaps',
  kind: 'ConfigMap',
  scope: 'Namespaced',
  shortNames: ['cm'],
  deleteReturnsStatus: true,
  columns: [
    NAME_COLUMN,
    column('Data', (o) => count(o.data) + count(o.binaryData), { type: 'integer' }),
    AGE_COLUMN,
  ],
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});

export const secretKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'secrets',
  kind: 'Secret',
  scope: 'Namespaced',
  deleteReturnsStatus: true,
  fieldSelectors: { type: (o) => o.type as string | undefined },
  columns: [
    NAME_COLUMN,
    column('Type', (o) => o.type),
    column('Data', (o) => count(o.data), { type: 'integer' }),
    AGE_COLUMN,
  ],
  defaultOnCreate(obj) {
    obj.type ??= 'Opaque';
    if (isPlainObject(obj.stringData)) {
      const data = isPlainObject(obj.data) ? obj.data : {};
      for (const [k, v] of Object.entries(obj.stringData)) {
        data[k] = Buffer.from(String(v)).toString('base64');
      }
      obj.data = data;
      delete obj.stringData;
    }
  },
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});

export const serviceAccountKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'serviceaccounts',
  kind: 'ServiceAccount',
  scope: 'Namespaced',
  shortNames: ['sa'],
  subresources: ['token'],
  columns: [
    NAME_COLUMN,
    column('Secrets', (o) => getArray(o, 'secrets').length, { type: 'integer' }),
    AGE_COLUMN,
  ],
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});

export const limitRangeKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'limitranges',
  kind: 'LimitRange',
  scope: 'Namespaced',
  shortNames: ['limits'],
  defaultOnWrite(obj) {
    const spec = isPlainObject(obj.spec) ? obj.spec : {};
    for (const item of Array.isArray(spec.limits) ? spec.limits : []) {
      if (isPlainObject(item)) {
        defaultLimitRangeItem(item);
      }
    }
  },
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});

/**
 * SetDefaults_LimitRangeItem, for Container limits: the default limit falls back to the max, the
 * default request to the default limit, then to the min.
 */
function defaultLimitRangeItem(item: Record<string, unknown>): void {
  if (item.type !== 'Container') {
    return;
  }
  const map = (key: string): Record<string, unknown> =>
    isPlainObject(item[key]) ? item[key] : (item[key] = {});
  const fill = (target: Record<string, unknown>, source: unknown) => {
    if (isPlainObject(source)) {
      for (const [k, v] of Object.entries(source)) {
        target[k] ??= v;
      }
    }
  };
  const defaults = map('default');
  const defaultRequest = map('defaultRequest');
  fill(defaults, item.max);
  fill(defaultRequest, defaults);
  fill(defaultRequest, item.min);
  // Empty maps are omitted on encoding, as Go's omitempty does.
  for (const key of ['default', 'defaultRequest']) {
    if (Object.keys(map(key)).length === 0) {
      delete item[key];
    }
  }
}
