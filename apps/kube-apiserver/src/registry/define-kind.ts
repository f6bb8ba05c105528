import type { ResourceType } from './resource-type';

type Required_ = 'group' | 'version' | 'resource' | 'kind' | 'scope';

/** Fills the defaults every kind shares (no short names, no subresources, object-returning DELETE). */
export function defineKind(
  spec: Pick<ResourceType, Required_> & Partial<ResourceType>,
): ResourceType {
  return {
    singular: spec.kind.toLowerCase(),
    shortNames: [],
    categories: [],
    subresources: [],
    fieldSelectors: {},
    listStrategies: {},
    deleteReturnsStatus: false,
    ...spec,
  };
}
