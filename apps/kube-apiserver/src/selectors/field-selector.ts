import type { KubeObject } from '../object/types';
import { badRequest } from '../errors/kube-error';
import type { ResourceType } from '../registry/resource-type';

export type ObjectMatcher = (obj: KubeObject) => boolean;

/** The field getters a kind supports: metadata.name (+ metadata.namespace if namespaced) + its own. */
export function fieldGetters(
  type: ResourceType,
): Record<string, (obj: KubeObject) => string | undefined> {
  return {
    'metadata.name': (o) => o.metadata.name,
    ...(type.scope === 'Namespaced'
      ? { 'metadata.namespace': (o: KubeObject) => o.metadata.namespace }
      : {}),
    ...type.fieldSelectors,
  };
}

/**
 * Parses `f=v`, `f==v`, `f!=v` (comma = AND). Unknown fields are a 400 "field label not supported";
 * an empty value matches objects whose field is absent or empty.
 */
export function parseFieldSelector(
  input: string | undefined,
  type: ResourceType,
): ObjectMatcher | undefined {
  if (!input || input.trim() === '') {
    return undefined;
  }
  const getters = fieldGetters(type);
  const terms = input.split(',').map((term) => {
    const m = /^\s*([^=!\s]+)\s*(==|=|!=)\s*(.*?)\s*$/.exec(term);
    if (!m) {
      throw badRequest(`invalid selector: '${input}'; can't understand '${term}'`);
    }
    const getter = getters[m[1]];
    if (!getter) {
      throw badRequest(`field label not supported: ${m[1]}`);
    }
    return { getter, negate: m[2] === '!=', value: m[3] };
  });
  return (obj) =>
    terms.every(({ getter, negate, value }) => ((getter(obj) ?? '') === value) !== negate);
}
