import { isPlainObject } from '../object/types';
import { text } from './object-path';

/**
 * Values rendered the way apimachinery's field errors print them (`Invalid value: <v>`): simple
 * types with %v / %q, everything else with Go's %#v of the internal type. Upstream messages embed
 * these strings (e.g. `map[string]string{"app":"web"}`), so kubectl users see the same text.
 */
export type GoValue = string & { readonly __go: unique symbol };

const go = (s: string) => s as GoValue;

/** Text already in Go notation. */
export const goRaw = (s: string): GoValue => go(s);

/** strconv.Quote for the ASCII text Kubernetes names use. */
export function goQuote(s: string): string {
  return JSON.stringify(s);
}

export const goString = (s: unknown): GoValue => go(goQuote(typeof s === 'string' ? s : ''));

export const goInt = (n: unknown): GoValue => go(String(typeof n === 'number' ? n : Number(n)));

export const goBool = (b: unknown): GoValue => go(b === true ? 'true' : 'false');

/** `map[string]string{"a":"1", "b":"2"}` (keys sorted), `map[string]string(nil)` when absent. */
export function goStringMap(m: unknown): GoValue {
  if (!isPlainObject(m)) {
    return go('map[string]string(nil)');
  }
  const entries = Object.keys(m)
    .sort()
    .map((k) => `${goQuote(k)}:${goQuote(String(m[k]))}`);
  return go(`map[string]string{${entries.join(', ')}}`);
}

function goStringSlice(v: unknown): string {
  return Array.isArray(v)
    ? `[]string{${v.map((s) => goQuote(String(s))).join(', ')}}`
    : '[]string(nil)';
}

/** A metav1.LabelSelector as %#v prints it (the validated value is the struct, not the pointer). */
export function goLabelSelector(sel: unknown): GoValue {
  if (!isPlainObject(sel)) {
    return go('null');
  }
  const expressions = Array.isArray(sel.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${sel.matchExpressions
        .map((e) => {
          const r = isPlainObject(e) ? e : {};
          return `v1.LabelSelectorRequirement{Key:${goQuote(text(r.key ?? ''))}, Operator:${goQuote(text(r.operator ?? ''))}, Values:${goStringSlice(r.values)}}`;
        })
        .join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return go(
    `v1.LabelSelector{MatchLabels:${goStringMap(sel.matchLabels)}, MatchExpressions:${expressions}}`,
  );
}

/** intstr.IntOrString as %#v prints it (it has no value-receiver String method). */
export function goIntOrString(v: unknown): GoValue {
  return typeof v === 'string'
    ? go(`intstr.IntOrString{Type:1, IntVal:0, StrVal:${goQuote(v)}}`)
    : go(`intstr.IntOrString{Type:0, IntVal:${Number(v) || 0}, StrVal:""}`);
}

/** A pointer field inside a %#v struct: `(*T)(nil)` or an (illustrative) address. */
export function goPointer(typeName: string, present: boolean): string {
  return present ? `(*${typeName})(0xc000a4e000)` : `(*${typeName})(nil)`;
}

/**
 * A compact %#v-style rendering of a struct for the rare messages that print whole specs
 * (`field is immutable` on a pod template). Upstream prints every zero field of the internal
 * type; this prints the fields present, in Go's Capitalised naming.
 */
export function goStruct(typeName: string, value: unknown): GoValue {
  const render = (v: unknown): string => {
    if (Array.isArray(v)) {
      return `[]{${v.map(render).join(', ')}}`;
    }
    if (isPlainObject(v)) {
      const fields = Object.entries(v).map(
        ([k, x]) => `${k.charAt(0).toUpperCase()}${k.slice(1)}:${render(x)}`,
      );
      return `{${fields.join(', ')}}`;
    }
    return typeof v === 'string' ? goQuote(v) : String(v);
  };
  return go(`${typeName}${render(value)}`);
}
