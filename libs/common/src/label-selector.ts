/** A label selector that does not parse; the api-server answers it with a 400. */
export class LabelSelectorSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'LabelSelectorSyntaxError';
  }
}

const badRequest = (message: string) => new LabelSelectorSyntaxError(message);

type Requirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

export type LabelMatcher = (labels: Record<string, string> | undefined) => boolean;

const KEY =
  /^([a-z0-9A-Z]([-a-z0-9A-Z.]*[a-z0-9A-Z])?\/)?[a-zA-Z0-9]([-a-zA-Z0-9_.]*[a-zA-Z0-9])?$/;

/**
 * Parses a label selector (`k=v`, `k==v`, `k!=v`, `k in (a,b)`, `k notin (a,b)`, `k`, `!k`;
 * comma = AND) into a matcher; bad syntax throws LabelSelectorSyntaxError.
 */
export function parseLabelSelector(input: string | undefined): LabelMatcher | undefined {
  if (!input || input.trim() === '') {
    return undefined;
  }
  const requirements = splitTopLevel(input).map(parseRequirement);
  return (labels) => requirements.every((r) => matches(r, labels ?? {}));
}

function splitTopLevel(input: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of input) {
    if (ch === '(') {
      depth++;
    } else if (ch === ')') {
      depth--;
    }
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += ch;
    }
  }
  parts.push(current);
  return parts.map((p) => p.trim());
}

function parseRequirement(text: string): Requirement {
  let m = /^!\s*(\S+)$/.exec(text);
  if (m) {
    return { op: 'notexists', key: checkKey(m[1], text) };
  }
  m = /^(\S+)\s+(in|notin)\s*\(([^)]*)\)$/.exec(text);
  if (m) {
    const values = m[3]
      .split(',')
      .map((v) => v.trim())
      .filter((v) => v !== '');
    values.forEach((v) => checkValue(v, m![1]));
    return { op: m[2] as 'in' | 'notin', key: checkKey(m[1], text), values };
  }
  m = /^([^=!\s]+)\s*(==|=|!=)\s*(\S*)$/.exec(text);
  if (m) {
    return {
      op: m[2] === '!=' ? 'neq' : 'eq',
      key: checkKey(m[1], text),
      value: checkValue(m[3], m[1]),
    };
  }
  if (/^\S+$/.test(text)) {
    return { op: 'exists', key: checkKey(text, text) };
  }
  throw badRequest(`unable to parse requirement: ${text || '<empty>'}`);
}

/** A label value: empty, or at most 63 alphanumerics, '-', '_', '.' (apimachinery validation). */
const VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

function checkValue(value: string, key: string): string {
  if (value.length > 63 || !VALUE.test(value)) {
    throw badRequest(
      `unable to parse requirement: values[0][${key}]: Invalid value: "${value}": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`,
    );
  }
  return value;
}

function checkKey(key: string, text: string): string {
  const name = key.slice(key.indexOf('/') + 1);
  const prefix = key.includes('/') ? key.slice(0, key.indexOf('/')) : '';
  if (!KEY.test(key) || name.length > 63 || prefix.length > 253) {
    throw badRequest(`unable to parse requirement: invalid label key "${key}" in "${text}"`);
  }
  return key;
}

function matches(r: Requirement, labels: Record<string, string>): boolean {
  const has = Object.prototype.hasOwnProperty.call(labels, r.key);
  switch (r.op) {
    case 'eq':
      return has && labels[r.key] === r.value;
    case 'neq':
      return !has || labels[r.key] !== r.value;
    case 'in':
      return has && r.values.includes(labels[r.key]);
    case 'notin':
      return !has || !r.values.includes(labels[r.key]);
    case 'exists':
      return has;
    case 'notexists':
      return !has;
  }
}
