/**
 * Path elements of structured-merge-diff (fieldpath/element.go): a struct field or map key, a
 * list item by its key fields, a set item by its value, or (rarely) a list index. Each has a
 * canonical string — its FieldsV1 form (`f:name`, `k:{"port":80,"protocol":"TCP"}`, `v:"x"`,
 * `i:0`) — used as the map key in field sets.
 */
export type PathElement =
  { field: string } | { key: [string, unknown][] } | { value: unknown } | { index: number };

export type Path = PathElement[];

/** Key fields sorted by name, as SMD keeps them. */
export function keyElement(fields: [string, unknown][]): PathElement {
  return { key: [...fields].sort(([a], [b]) => compareStrings(a, b)) };
}

/** JSON with object keys in the given (sorted) order, as SMD serialises keys and values. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).sort(([a], [b]) => compareStrings(a, b));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** The FieldsV1 form of a path element. */
export function serializeElement(pe: PathElement): string {
  if ('field' in pe) {
    return `f:${pe.field}`;
  }
  if ('key' in pe) {
    return `k:{${pe.key.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if ('value' in pe) {
    return `v:${canonicalJson(pe.value)}`;
  }
  return `i:${pe.index}`;
}

export function parseElement(text: string): PathElement {
  const body = text.slice(2);
  switch (text.slice(0, 2)) {
    case 'f:':
      return { field: body };
    case 'k:': {
      const parsed = JSON.parse(body) as Record<string, unknown>;
      return keyElement(Object.entries(parsed));
    }
    case 'v:':
      return { value: JSON.parse(body) as unknown };
    case 'i:':
      return { index: Number(body) };
    default:
      throw new Error(`unknown path element ${JSON.stringify(text)}`);
  }
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const typeRank = (v: unknown): number =>
  v === null || v === undefined
    ? 0
    : typeof v === 'number'
      ? 1
      : typeof v === 'string'
        ? 2
        : typeof v === 'boolean'
          ? 3
          : Array.isArray(v)
            ? 4
            : 5;

/** value.Compare: an order over JSON values (numbers and strings naturally, then by type). */
export function compareValues(a: unknown, b: unknown): number {
  const ra = typeRank(a);
  const rb = typeRank(b);
  if (ra !== rb) {
    return ra - rb;
  }
  if (typeof a === 'number' && typeof b === 'number') {
    return a - b;
  }
  if (typeof a === 'string' && typeof b === 'string') {
    return compareStrings(a, b);
  }
  if (typeof a === 'boolean' && typeof b === 'boolean') {
    return Number(a) - Number(b);
  }
  return compareStrings(canonicalJson(a), canonicalJson(b));
}

/** PathElement.Compare: fields < keys < values < indices, then within each kind. */
export function compareElements(a: PathElement, b: PathElement): number {
  const rank = (pe: PathElement) => ('field' in pe ? 0 : 'key' in pe ? 1 : 'value' in pe ? 2 : 3);
  if (rank(a) !== rank(b)) {
    return rank(a) - rank(b);
  }
  if ('field' in a && 'field' in b) {
    return compareStrings(a.field, b.field);
  }
  if ('key' in a && 'key' in b) {
    for (let i = 0; ; i++) {
      if (i >= a.key.length || i >= b.key.length) {
        return a.key.length - b.key.length;
      }
      const byName = compareStrings(a.key[i][0], b.key[i][0]);
      if (byName !== 0) {
        return byName;
      }
      const byValue = compareValues(a.key[i][1], b.key[i][1]);
      if (byValue !== 0) {
        return byValue;
      }
    }
  }
  if ('value' in a && 'value' in b) {
    return compareValues(a.value, b.value);
  }
  return (a as { index: number }).index - (b as { index: number }).index;
}

/** value.ToString: strings quoted (Go %q), everything else as JSON. */
function valueString(v: unknown): string {
  return typeof v === 'string' ? JSON.stringify(v) : canonicalJson(v);
}

/** The human form used in conflict messages: `.spec.ports[port=80,protocol="TCP"].targetPort`. */
export function pathString(path: Path): string {
  return path
    .map((pe) => {
      if ('field' in pe) {
        return `.${pe.field}`;
      }
      if ('key' in pe) {
        return `[${pe.key.map(([k, v]) => `${k}=${valueString(v)}`).join(',')}]`;
      }
      if ('value' in pe) {
        return `[=${valueString(pe.value)}]`;
      }
      return `[${pe.index}]`;
    })
    .join('');
}
