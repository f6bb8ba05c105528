import type { Atom, TypeRef } from './typed-schema';

/**
 * Decodes JSON into a kind the way the apiserver's strict decoder (sigs.k8s.io/json) does: in
 * one pass over the text, in document order, it reports duplicate keys (`duplicate field
 * "metadata.name"`, the last one wins) and fields the kind does not declare (`unknown field
 * "spec.foo"`, dropped, as Go structs drop them), and fails on the first value of the wrong JSON
 * type (`json: cannot unmarshal string into Go struct field PodSpec.spec.replicas of type int32`).
 * Without a type (kinds with no schema) only duplicates are reported.
 */
export interface StrictDecodeResult {
  value: unknown;
  /** Strict decoding errors (unknown and duplicate fields), in document order. */
  strictErrors: string[];
}

export class JsonSyntaxError extends Error {}
export class JsonTypeError extends Error {}

/**
 * Upstream's JSON decoder (sigs.k8s.io/json) stops at 10,000 levels; Nimbus stops at 1,000, since
 * its patch and validation code recurses and no Kubernetes object comes near that depth.
 */
export const MAX_NESTING_DEPTH = 1_000;

class Parser {
  private depth = 0;
  private at = 0;
  readonly strictErrors: string[] = [];
  typeError: string | undefined;

  constructor(private readonly text: string) {}

  parse(type: TypeRef | undefined): unknown {
    const value = this.value(type, '', '', undefined);
    this.skipWs();
    if (this.at < this.text.length) {
      this.fail('invalid character after top-level value');
    }
    return value;
  }

  /** JSON whitespace (space, tab, LF, CR); a loop, since a regex match allocates each call. */
  private skipWs(): void {
    const text = this.text;
    let at = this.at;
    for (;;) {
      const c = text.charCodeAt(at);
      if (c !== 32 && c !== 9 && c !== 10 && c !== 13) {
        break;
      }
      at++;
    }
    this.at = at;
  }

  private fail(message: string): never {
    throw new JsonSyntaxError(`${message} (at offset ${this.at})`);
  }

  /**
   * `path` is the strict-decoding path (with [i]), `goPath` Go's type-error path (no indices),
   * `struct` the innermost Go struct name.
   */
  private value(
    type: TypeRef | undefined,
    path: string,
    goPath: string,
    struct: string | undefined,
  ): unknown {
    this.skipWs();
    const c = this.text[this.at];
    const atom = type?.atom;
    if (c === '{' || c === '[') {
      if (++this.depth > MAX_NESTING_DEPTH) {
        throw new JsonSyntaxError(`exceeded max depth of ${MAX_NESTING_DEPTH}`);
      }
      this.checkShape(atom, c === '{' ? 'object' : 'array', goPath, struct);
      const value =
        c === '{'
          ? this.object(atom, path, goPath, struct)
          : this.array(atom, path, goPath, struct);
      this.depth--;
      return value;
    }
    const literal = this.literal();
    this.checkLiteral(atom, literal, goPath, struct);
    return literal;
  }

  private object(atom: Atom | undefined, path: string, goPath: string, struct: string | undefined) {
    this.at++;
    const out: Record<string, unknown> = {};
    const seen = new Set<string>();
    const structName = atom?.kind === 'map' && atom.name ? shortName(atom.name) : struct;
    this.skipWs();
    if (this.text[this.at] === '}') {
      this.at++;
      return out;
    }
    for (;;) {
      this.skipWs();
      if (this.text[this.at] !== '"') {
        this.fail('invalid character looking for beginning of object key string');
      }
      const key = this.string();
      this.skipWs();
      if (this.text[this.at] !== ':') {
        this.fail('invalid character after object key');
      }
      this.at++;
      const childPath = path ? `${path}.${key}` : key;
      // Go's type errors name struct fields only (map keys are not part of the path).
      const structField = atom?.kind === 'map' && atom.fields.has(key);
      const childGoPath = structField || !atom ? (goPath ? `${goPath}.${key}` : key) : goPath;
      if (seen.has(key)) {
        this.strictErrors.push(`duplicate field ${JSON.stringify(childPath)}`);
      }
      seen.add(key);
      let childType: TypeRef | undefined;
      let known = true;
      if (atom?.kind === 'map') {
        childType = atom.fields.get(key) ?? atom.elements;
        known = childType !== undefined;
      }
      if (!known) {
        this.strictErrors.push(`unknown field ${JSON.stringify(childPath)}`);
      }
      const value = this.value(childType, childPath, childGoPath, structName);
      if (known) {
        out[key] = value;
      }
      this.skipWs();
      const sep = this.text[this.at++];
      if (sep === '}') {
        return out;
      }
      if (sep !== ',') {
        this.at--;
        this.fail('invalid character after object key:value pair');
      }
    }
  }

  private array(atom: Atom | undefined, path: string, goPath: string, struct: string | undefined) {
    this.at++;
    const out: unknown[] = [];
    const elements = atom?.kind === 'list' ? atom.elements : undefined;
    this.skipWs();
    if (this.text[this.at] === ']') {
      this.at++;
      return out;
    }
    for (let i = 0; ; i++) {
      out.push(this.value(elements, `${path}[${i}]`, goPath, struct));
      this.skipWs();
      const sep = this.text[this.at++];
      if (sep === ']') {
        return out;
      }
      if (sep !== ',') {
        this.at--;
        this.fail('invalid character after array element');
      }
    }
  }

  private string(): string {
    const start = this.at;
    this.at++;
    for (;;) {
      const c = this.text[this.at];
      if (c === undefined) {
        this.fail('unexpected end of JSON input');
      }
      if (c === '\\') {
        this.escape();
        continue;
      }
      if (c < ' ') {
        this.fail(`invalid character ${goQuoteChar(c)} in string literal`);
      }
      this.at++;
      if (c === '"') {
        break;
      }
    }
    return JSON.parse(this.text.slice(start, this.at)) as string;
  }

  /** One escape sequence inside a string, checked as Go's scanner does. */
  private escape(): void {
    const c = this.text[this.at + 1];
    if (c === undefined) {
      this.fail('unexpected end of JSON input');
    }
    if (c === 'u') {
      for (let i = 2; i < 6; i++) {
        const h = this.text[this.at + i];
        if (h === undefined) {
          this.fail('unexpected end of JSON input');
        }
        if (!/[0-9a-fA-F]/.test(h)) {
          this.fail(`invalid character ${goQuoteChar(h)} in \\u hexadecimal character escape`);
        }
      }
      this.at += 6;
      return;
    }
    if (!'"\\/bfnrt'.includes(c)) {
      this.fail(`invalid character ${goQuoteChar(c)} in string escape code`);
    }
    this.at += 2;
  }

  private literal(): unknown {
    const c = this.text[this.at];
    if (c === '"') {
      return this.string();
    }
    const m = /-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?|true|false|null/y;
    m.lastIndex = this.at;
    const found = m.exec(this.text);
    if (!found) {
      this.fail(
        c === undefined
          ? 'unexpected end of JSON input'
          : `invalid character '${c}' looking for beginning of value`,
      );
    }
    this.at = m.lastIndex;
    return JSON.parse(found[0]) as unknown;
  }

  protected typeMismatch(
    value: string,
    goPath: string,
    struct: string | undefined,
    goType: string,
  ) {
    if (this.typeError === undefined) {
      this.typeError = struct
        ? `json: cannot unmarshal ${value} into Go struct field ${struct}.${goPath} of type ${goType}`
        : `json: cannot unmarshal ${value} into Go value of type ${goType}`;
    }
  }

  protected checkShape(
    atom: Atom | undefined,
    shape: 'object' | 'array',
    goPath: string,
    struct: string | undefined,
  ) {
    if (!atom || atom.kind === 'untyped') {
      return;
    }
    const ok = shape === 'object' ? atom.kind === 'map' : atom.kind === 'list';
    if (!ok) {
      this.typeMismatch(shape, goPath, struct, goTypeName(atom));
    }
  }

  protected checkLiteral(
    atom: Atom | undefined,
    value: unknown,
    goPath: string,
    struct: string | undefined,
  ) {
    if (!atom || value === null || atom.kind === 'untyped') {
      return;
    }
    const jsonType =
      typeof value === 'string' ? 'string' : typeof value === 'boolean' ? 'bool' : 'number';
    if (atom.kind !== 'scalar') {
      this.typeMismatch(jsonType, goPath, struct, goTypeName(atom));
      return;
    }
    const wanted = atom.type;
    const ok =
      wanted === undefined
        ? jsonType !== 'bool'
        : wanted === 'string'
          ? jsonType === 'string'
          : wanted === 'boolean'
            ? jsonType === 'bool'
            : jsonType === 'number' && (wanted === 'number' || Number.isInteger(value));
    if (!ok) {
      const shown =
        jsonType === 'number' && wanted === 'integer'
          ? `number ${JSON.stringify(value)}`
          : jsonType;
      this.typeMismatch(shown, goPath, struct, goTypeName(atom));
    }
  }
}

function shortName(definition: string): string {
  return definition.split('.').pop() ?? definition;
}

/** Go-style type names for error messages: int64, []v1.Container, map[string]string. */
function goTypeName(atom: Atom): string {
  switch (atom.kind) {
    case 'scalar':
      if (atom.type === 'integer') {
        return atom.format === 'int32' ? 'int32' : 'int64';
      }
      return atom.type === 'number' ? 'float64' : atom.type === 'boolean' ? 'bool' : 'string';
    case 'list':
      return `[]${goTypeName(atom.elements.atom)}`;
    case 'map': {
      if (atom.name) {
        const parts = atom.name.split('.');
        return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
      }
      return atom.elements ? `map[string]${goTypeName(atom.elements.atom)}` : 'struct';
    }
    case 'untyped':
      return 'interface {}';
  }
}

/**
 * Parses `text` against `type`. Throws JsonSyntaxError for malformed JSON and JsonTypeError for
 * the first value of the wrong type; strict errors are returned for the caller's directive.
 */
export function strictDecodeJson(text: string, type: TypeRef | undefined): StrictDecodeResult {
  const parser = new Parser(text);
  const value = parser.parse(type);
  if (parser.typeError) {
    throw new JsonTypeError(parser.typeError);
  }
  return { value, strictErrors: parser.strictErrors };
}

/**
 * The same checks on an already decoded value (YAML bodies, patched objects, apply
 * configurations): unknown fields (dropped from the returned copy) and type mismatches;
 * duplicates cannot exist any more.
 */
export function strictCheckValue(value: unknown, type: TypeRef | undefined): StrictDecodeResult {
  const walker = new ValueWalker();
  const checked = walker.walk(value, type, '', '', undefined);
  if (walker.typeError) {
    throw new JsonTypeError(walker.typeError);
  }
  return { value: checked, strictErrors: walker.strictErrors };
}

/** strictDecodeJson's checks over a JS value instead of JSON text. */
class ValueWalker extends Parser {
  constructor() {
    super('');
  }

  walk(
    value: unknown,
    type: TypeRef | undefined,
    path: string,
    goPath: string,
    struct: string | undefined,
  ): unknown {
    const atom = type?.atom;
    if (Array.isArray(value)) {
      this.checkShape(atom, 'array', goPath, struct);
      const elements = atom?.kind === 'list' ? atom.elements : undefined;
      return value.map((v, i) => this.walk(v, elements, `${path}[${i}]`, goPath, struct));
    }
    if (value !== null && typeof value === 'object') {
      this.checkShape(atom, 'object', goPath, struct);
      const structName = atom?.kind === 'map' && atom.name ? shortName(atom.name) : struct;
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(value)) {
        if (child === undefined) {
          // Not part of the JSON (JSON.stringify drops it).
          continue;
        }
        const childPath = path ? `${path}.${key}` : key;
        let childType: TypeRef | undefined;
        if (atom?.kind === 'map') {
          childType = atom.fields.get(key) ?? atom.elements;
          if (!childType) {
            this.strictErrors.push(`unknown field ${JSON.stringify(childPath)}`);
            continue;
          }
        }
        const structField = atom?.kind === 'map' && atom.fields.has(key);
        const childGoPath = structField || !atom ? (goPath ? `${goPath}.${key}` : key) : goPath;
        out[key] = this.walk(child, childType, childPath, childGoPath, structName);
      }
      return out;
    }
    this.checkLiteral(atom, value, goPath, struct);
    return value;
  }
}

/** A character as Go's JSON scanner quotes it in errors ('x', '\t', '\x00'). */
function goQuoteChar(c: string): string {
  const escapes: Record<string, string> = { '\t': '\\t', '\n': '\\n', '\r': '\\r', "'": "\\'" };
  if (escapes[c]) {
    return `'${escapes[c]}'`;
  }
  const code = c.codePointAt(0) ?? 0;
  return code < 0x20 ? `'\\x${code.toString(16).padStart(2, '0')}'` : `'${c}'`;
}
