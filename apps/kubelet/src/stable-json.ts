/**
 * JSON with object keys sorted: equal objects compare equal whatever order the API keeps.
 * Written out by hand rather than with a `JSON.stringify` replacer that rebuilds every object
 * sorted: the kubelets compare every pod status this way, and the replacer was the costlier.
 * Same output as `JSON.stringify` of the sorted value (undefined members skipped, undefined
 * array items and non-finite numbers as null, `toJSON` honoured).
 */
export function stableJson(value: unknown): string {
  return write(value) as string;
}

function write(value: unknown): string | undefined {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? String(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'object':
      return value === null ? 'null' : writeObject(value);
    case 'bigint':
      return JSON.stringify(value); // throws as JSON.stringify does
    case 'undefined':
    case 'function':
    case 'symbol':
      return undefined;
  }
}

function writeObject(value: object): string | undefined {
  const toJSON = (value as { toJSON?: () => unknown }).toJSON;
  if (typeof toJSON === 'function') {
    return write(toJSON.call(value));
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) {
      out += (i > 0 ? ',' : '') + (write(value[i]) ?? 'null');
    }
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  let out = '';
  for (const key of Object.keys(record).sort()) {
    const item = write(record[key]);
    if (item !== undefined) {
      out += (out.length > 0 ? ',' : '') + JSON.stringify(key) + ':' + item;
    }
  }
  return '{' + out + '}';
}
