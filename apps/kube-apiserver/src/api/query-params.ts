import { badRequest } from '../errors/kube-error';
import { parseGoDurationNs } from '@app/common';

/**
 * Query parameters decoded as apimachinery's ParameterCodec does (runtime/conversion.go): the
 * first value counts, booleans are true unless absent, `0` or case-insensitively `false`
 * (so `?watch`, `?watch=` and `watch=True` are true), integers are Go int64s.
 */

/** A boolean parameter: absent → undefined (nil *bool), else Convert_Slice_string_To_bool. */
export function queryBool(query: URLSearchParams, name: string): boolean | undefined {
  if (!query.has(name)) {
    return undefined;
  }
  const value = query.get(name) ?? '';
  return !(value === '0' || value.toLowerCase() === 'false');
}

/** strconv.ParseInt(s, 10, 64) with Go's error text. */
export function parseGoInt(value: string): number {
  if (!/^[+-]?\d+$/.test(value)) {
    throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  const n = BigInt(value);
  if (n > 9223372036854775807n || n < -9223372036854775808n) {
    throw new Error(`strconv.ParseInt: parsing ${JSON.stringify(value)}: value out of range`);
  }
  return Number(n);
}

/** strconv.ParseUint(s, 10, 64), as resourceVersions are parsed. */
export function parseGoUint(value: string): number {
  if (!/^\d+$/.test(value)) {
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(value)}: invalid syntax`);
  }
  if (BigInt(value) > 18446744073709551615n) {
    throw new Error(`strconv.ParseUint: parsing ${JSON.stringify(value)}: value out of range`);
  }
  return Number(value);
}

/** An int64 parameter: absent → undefined; unparsable → 400 with Go's message. */
export function queryInt(query: URLSearchParams, name: string): number | undefined {
  if (!query.has(name)) {
    return undefined;
  }
  try {
    return parseGoInt(query.get(name) ?? '');
  } catch (error) {
    throw badRequest((error as Error).message);
  }
}

/** `?timeout=` (a Go duration) is validated like the request-deadline filter does. */
export function checkTimeoutParam(query: URLSearchParams): void {
  const value = query.get('timeout');
  if (!value) {
    return;
  }
  try {
    parseGoDurationNs(value);
  } catch (error) {
    throw badRequest(`invalid timeout specified in the request URL - ${(error as Error).message}`);
  }
}
