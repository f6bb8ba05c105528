import { isPlainObject } from '../object/types';
import { text } from './object-path';
import type { FieldError } from '../errors/kube-error';
import { dns1123SubdomainMessages } from './dns-names';
import { fieldForbidden, fieldInvalid, fieldRequired } from './field-errors';
import { goString } from './go-format';

/** metav1.LabelSelector semantics (apimachinery `meta/v1/helpers.go`, `labels/selector.go`). */

const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;

const QUALIFIED_NAME_MSG =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const LABEL_VALUE_MSG =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
/** validation.IsQualifiedName: messages for a label key / annotation key. */
export function qualifiedNameErrors(value: string): string[] {
  const parts = value.split('/');
  const errors: string[] = [];
  let name: string;
  if (parts.length === 1) {
    name = parts[0];
  } else if (parts.length === 2) {
    const prefix = parts[0];
    name = parts[1];
    if (prefix.length === 0) {
      errors.push('prefix part must be non-empty');
    } else {
      errors.push(...dns1123SubdomainMessages(prefix).map((m) => `prefix part ${m}`));
    }
  } else {
    return [
      `a qualified name ${QUALIFIED_NAME_MSG} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) {
    errors.push('name part must be non-empty');
  } else if (name.length > 63) {
    errors.push('name part must be no more than 63 characters');
  }
  if (!QUALIFIED_NAME_PART.test(name)) {
    errors.push(`name part ${QUALIFIED_NAME_MSG}`);
  }
  return errors;
}

export function labelValueErrors(value: string): string[] {
  const errors: string[] = [];
  if (value.length > 63) {
    errors.push('must be no more than 63 characters');
  }
  if (!LABEL_VALUE.test(value)) {
    errors.push(LABEL_VALUE_MSG);
  }
  return errors;
}

/** ValidateLabels at `field` (keys and values of a label map). */
export function validateLabels(labels: unknown, field: string): FieldError[] {
  if (!isPlainObject(labels)) {
    return [];
  }
  const errors: FieldError[] = [];
  for (const [k, v] of Object.entries(labels)) {
    for (const msg of qualifiedNameErrors(k)) {
      errors.push(fieldInvalid(field, goString(k), msg));
    }
    for (const msg of labelValueErrors(String(v))) {
      errors.push(fieldInvalid(field, goString(String(v)), msg));
    }
  }
  return errors;
}

/** unversionedvalidation.ValidateLabelSelector. */
export function validateLabelSelector(selector: unknown, field: string): FieldError[] {
  if (!isPlainObject(selector)) {
    return [];
  }
  const errors = validateLabels(selector.matchLabels, `${field}.matchLabels`);
  const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
  expressions.forEach((raw, i) => {
    const e = isPlainObject(raw) ? raw : {};
    const at = `${field}.matchExpressions[${i}]`;
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    switch (e.operator) {
      case 'In':
      case 'NotIn':
        if (values.length === 0) {
          errors.push(
            fieldRequired(`${at}.values`, "must be specified when `operator` is 'In' or 'NotIn'"),
          );
        }
        break;
      case 'Exists':
      case 'DoesNotExist':
        if (values.length > 0) {
          errors.push(
            fieldForbidden(
              `${at}.values`,
              "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
            ),
          );
        }
        break;
      default:
        errors.push(
          fieldInvalid(`${at}.operator`, goString(e.operator), 'not a valid selector operator'),
        );
    }
    for (const msg of qualifiedNameErrors(text(e.key ?? ''))) {
      errors.push(fieldInvalid(`${at}.key`, goString(e.key), msg));
    }
    values.forEach((v, j) => {
      for (const msg of labelValueErrors(v)) {
        errors.push(fieldInvalid(`${at}.values[${j}]`, goString(v), msg));
      }
    });
  });
  return errors;
}

interface Requirement {
  key: string;
  op: 'Equals' | 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';
  values: string[];
}

/** LabelSelectorAsSelector: requirements sorted by key; undefined when the selector is invalid. */
function requirementsOf(selector: Record<string, unknown>): Requirement[] | undefined {
  const reqs: Requirement[] = [];
  if (isPlainObject(selector.matchLabels)) {
    for (const [key, value] of Object.entries(selector.matchLabels)) {
      reqs.push({ key, op: 'Equals', values: [String(value)] });
    }
  }
  for (const raw of Array.isArray(selector.matchExpressions) ? selector.matchExpressions : []) {
    const e = isPlainObject(raw) ? raw : {};
    const values = Array.isArray(e.values) ? e.values.map(String) : [];
    const op = e.operator;
    if (op !== 'In' && op !== 'NotIn' && op !== 'Exists' && op !== 'DoesNotExist') {
      return undefined;
    }
    if ((op === 'In' || op === 'NotIn') === (values.length === 0)) {
      return undefined;
    }
    reqs.push({ key: text(e.key ?? ''), op, values: [...new Set(values)].sort() });
  }
  return reqs.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}

function requirementMatches(r: Requirement, labels: Record<string, unknown>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  const value = has ? String(labels[r.key]) : undefined;
  switch (r.op) {
    case 'Equals':
    case 'In':
      return has && r.values.includes(value as string);
    case 'NotIn':
      return !has || !r.values.includes(value as string);
    case 'Exists':
      return has;
    case 'DoesNotExist':
      return !has;
  }
}

export interface CompiledSelector {
  /** No requirements: selects everything (a missing selector selects nothing instead). */
  empty: boolean;
  matches(labels: unknown): boolean;
  /** labels.Selector.String(): `app=web,tier in (a,b)` */
  text: string;
}

/** A LabelSelector compiled as LabelSelectorAsSelector does; undefined when invalid. */
export function compileSelector(selector: unknown): CompiledSelector | undefined {
  if (selector === undefined || selector === null) {
    return { empty: false, matches: () => false, text: '' };
  }
  if (!isPlainObject(selector)) {
    return undefined;
  }
  const reqs = requirementsOf(selector);
  if (!reqs) {
    return undefined;
  }
  const text = reqs
    .map((r) => {
      switch (r.op) {
        case 'Equals':
          return `${r.key}=${r.values[0]}`;
        case 'In':
          return `${r.key} in (${r.values.join(',')})`;
        case 'NotIn':
          return `${r.key} notin (${r.values.join(',')})`;
        case 'Exists':
          return r.key;
        case 'DoesNotExist':
          return `!${r.key}`;
      }
    })
    .join(',');
  return {
    empty: reqs.length === 0,
    matches: (labels) =>
      reqs.every((r) => requirementMatches(r, isPlainObject(labels) ? labels : {})),
    text,
  };
}

/** metav1.FormatLabelSelector: `<none>` for an empty or missing selector, `<error>` if invalid. */
export function formatLabelSelector(selector: unknown): string {
  const compiled = compileSelector(selector);
  if (!compiled) {
    return '<error>';
  }
  return compiled.text || '<none>';
}

/** labels.FormatLabels: `a=1,b=2` (sorted) or `<none>`. */
export function formatLabels(labels: unknown): string {
  if (!isPlainObject(labels) || Object.keys(labels).length === 0) {
    return '<none>';
  }
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${String(labels[k])}`)
    .join(',');
}

/** Whether a map selector (RC, Service) selects these labels: every pair must be present. */
export function mapSelectorMatches(selector: unknown, labels: unknown): boolean {
  if (!isPlainObject(selector)) {
    return false;
  }
  const l = isPlainObject(labels) ? labels : {};
  return Object.entries(selector).every(([k, v]) => l[k] === v);
}
