import { invalidArgument, type DomainError } from '@app/common';
import { labelKeyProblem, labelValueProblem } from '@app/cloud-contracts';

export type Requirement =
  | { op: 'exists' | 'notExists'; key: string }
  | { op: 'in' | 'notIn'; key: string; values: string[] };

export type LabelSelector = Requirement[];

const KEY = '[A-Za-z0-9][-A-Za-z0-9_./]*';
const RE_NOT_EXISTS = new RegExp(`^!\\s*(${KEY})$`);
const RE_EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*([-A-Za-z0-9_.]*)$`);
const RE_SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s*\\(([^()]*)\\)$`);
const RE_EXISTS = new RegExp(`^(${KEY})$`);

/** Parses Kubernetes label-selector syntax (`a=b,c!=d,e in (x,y),f notin (z),g,!h`). */
export function parseLabelSelector(text: string, field = 'labelSelector'): LabelSelector {
  const parts = splitTopLevel(text, field);
  return parts.map((raw) => parseRequirement(raw.trim(), field));
}

function splitTopLevel(text: string, field: string): string[] {
  if (text.trim() === '') {
    return [];
  }
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') {
      depth++;
    } else if (c === ')') {
      depth--;
      if (depth < 0) {
        throw bad(field, text, 'unbalanced ")"');
      }
    } else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) {
    throw bad(field, text, 'unbalanced "("');
  }
  parts.push(text.slice(start));
  return parts;
}

function parseRequirement(raw: string, field: string): Requirement {
  let m = RE_NOT_EXISTS.exec(raw);
  if (m) {
    return { op: 'notExists', key: checkKey(m[1], field) };
  }
  m = RE_SET.exec(raw);
  if (m) {
    const values = m[3]
      .split(',')
      .map((v) => v.trim())
      .filter((v, i, all) => v !== '' || all.length === 1);
    values.forEach((v) => checkValue(m![1], v, field));
    return { op: m[2] === 'in' ? 'in' : 'notIn', key: checkKey(m[1], field), values };
  }
  m = RE_EQUALITY.exec(raw);
  if (m) {
    checkValue(m[1], m[3], field);
    return { op: m[2] === '!=' ? 'notIn' : 'in', key: checkKey(m[1], field), values: [m[3]] };
  }
  m = RE_EXISTS.exec(raw);
  if (m) {
    return { op: 'exists', key: checkKey(m[1], field) };
  }
  throw bad(
    field,
    raw,
    'expected key, !key, key=value, key!=value, key in (v1,v2) or key notin (v1,v2)',
  );
}

function checkKey(key: string, field: string): string {
  const problem = labelKeyProblem(key);
  if (problem) {
    throw invalidArgument(field, problem);
  }
  return key;
}

function checkValue(key: string, value: string, field: string): void {
  const problem = labelValueProblem(key, value);
  if (problem) {
    throw invalidArgument(field, problem);
  }
}

function bad(field: string, text: string, why: string): DomainError {
  return invalidArgument(field, `cannot parse "${text}": ${why}`);
}

export function matchesLabelSelector(
  selector: LabelSelector,
  labels: Record<string, string>,
): boolean {
  return selector.every((r) => {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.op) {
      case 'exists':
        return has;
      case 'notExists':
        return !has;
      case 'in':
        return has && r.values.includes(labels[r.key]);
      case 'notIn':
        return !has || !r.values.includes(labels[r.key]);
    }
  });
}
