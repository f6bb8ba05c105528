import type { FieldError } from '../errors/kube-error';
import type { KubeObject } from '../object/types';
import { isPlainObject } from '../object/types';
import { dns1123LabelErrors, dns1123SubdomainErrors } from './dns-names';

const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const QUALIFIED_NAME =
  /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;

export type NameRule = 'subdomain' | 'label' | 'path';

/** Object name rules (apimachinery validation): DNS-1123 subdomain by default. */
export function validateName(name: string | undefined, rule: NameRule): FieldError[] {
  if (!name) {
    return [
      {
        field: 'metadata.name',
        message: 'Required value: name or generateName is required',
        reason: 'FieldValueRequired',
      },
    ];
  }
  if (rule === 'path') {
    return /[/%]/.test(name) || name === '.' || name === '..'
      ? [
          {
            field: 'metadata.name',
            message: `Invalid value: "${name}": may not contain '/' or '%'`,
          },
        ]
      : [];
  }
  return rule === 'label'
    ? dns1123LabelErrors(name, 'metadata.name')
    : dns1123SubdomainErrors(name, 'metadata.name');
}

/** Label keys (qualified names) and values; annotation keys. */
export function validateMetadataMaps(obj: KubeObject): FieldError[] {
  const errors: FieldError[] = [];
  const { labels, annotations } = obj.metadata;
  if (labels !== undefined && labels !== null) {
    if (!isPlainObject(labels)) {
      errors.push({ field: 'metadata.labels', message: 'Invalid value: must be a map of strings' });
    } else {
      for (const [k, v] of Object.entries(labels)) {
        if (!QUALIFIED_NAME.test(k) || k.length > 316) {
          errors.push({
            field: 'metadata.labels',
            message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
          });
        }
        if (typeof v !== 'string' || v.length > 63 || !LABEL_VALUE.test(v)) {
          errors.push({
            field: 'metadata.labels',
            message: `Invalid value: "${String(v)}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
          });
        }
      }
    }
  }
  if (annotations !== undefined && annotations !== null) {
    if (!isPlainObject(annotations)) {
      errors.push({
        field: 'metadata.annotations',
        message: 'Invalid value: must be a map of strings',
      });
    } else {
      for (const [k, v] of Object.entries(annotations)) {
        if (!QUALIFIED_NAME.test(k)) {
          errors.push({
            field: 'metadata.annotations',
            message: `Invalid value: "${k}": name part must consist of alphanumeric characters, '-', '_' or '.'`,
          });
        }
        if (typeof v !== 'string') {
          errors.push({
            field: `metadata.annotations[${k}]`,
            message: 'Invalid value: must be a string',
          });
        }
      }
    }
  }
  return errors;
}

/** A field that may not change after creation. */
export function immutable(
  obj: unknown,
  old: unknown,
  field: string,
  read: (o: unknown) => unknown,
): FieldError[] {
  return JSON.stringify(read(obj)) === JSON.stringify(read(old))
    ? []
    : [{ field, message: 'Invalid value: field is immutable', reason: 'FieldValueInvalid' }];
}

export function required(value: unknown, field: string): FieldError[] {
  return value === undefined || value === null || value === ''
    ? [{ field, message: 'Required value', reason: 'FieldValueRequired' }]
    : [];
}

export function oneOf(value: unknown, field: string, allowed: string[]): FieldError[] {
  return value === undefined || allowed.includes(value as string)
    ? []
    : [
        {
          field,
          message: `Unsupported value: ${JSON.stringify(value)}: supported values: ${allowed.map((a) => `"${a}"`).join(', ')}`,
          reason: 'FieldValueNotSupported',
        },
      ];
}
