import { isPlainObject, type JsonObject } from '../object/types';
import { compileSelector } from '../registry/label-selector-rules';
import { objectsIn, text } from '../registry/object-path';

/** What a request is, as admission matching sees it. */
export interface AdmissionRequestInfo {
  operation: 'CREATE' | 'UPDATE' | 'DELETE';
  group: string;
  version: string;
  resource: string;
  subresource: string;
  namespaced: boolean;
  /** The new object (CREATE, UPDATE) and the stored one (UPDATE, DELETE). */
  object?: JsonObject;
  oldObject?: JsonObject;
  /** Labels of the request's namespace (the Namespace itself for namespaces), if any. */
  namespaceLabels?: Record<string, unknown>;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.map(text) : []);
const matchesAny = (list: string[], value: string) => list.includes('*') || list.includes(value);

// Whether a `resources` entry names this resource and subresource: `pods`, `pods/status`, `*`,
// `*/*` (everything with a subresource), `*/scale`.
function resourceMatches(entry: string, resource: string, subresource: string): boolean {
  const [res, sub] = entry.split('/', 2);
  if (sub === undefined) {
    return subresource === '' && (res === '*' || res === resource);
  }
  return (
    (res === '*' || res === resource) && (sub === '*' || sub === subresource) && subresource !== ''
  );
}

/** One NamedRuleWithOperations (admission/plugin/webhook/predicates/rules). */
function ruleMatches(rule: JsonObject, req: AdmissionRequestInfo, exactVersion: boolean): boolean {
  const names = strings(rule.resourceNames);
  const target = req.object ?? req.oldObject;
  const name = target && isPlainObject(target.metadata) ? text(target.metadata.name) : '';
  const scope = text(rule.scope) || '*';
  return (
    matchesAny(strings(rule.operations), req.operation) &&
    matchesAny(strings(rule.apiGroups), req.group) &&
    (!exactVersion || matchesAny(strings(rule.apiVersions), req.version)) &&
    strings(rule.resources).some((r) => resourceMatches(r, req.resource, req.subresource)) &&
    (scope === '*' || (scope === 'Namespaced') === req.namespaced) &&
    (names.length === 0 || names.includes(name))
  );
}

const labelsOf = (obj: JsonObject | undefined): unknown =>
  obj && isPlainObject(obj.metadata) ? obj.metadata.labels : undefined;

/**
 * matching.Matcher.Matches for a policy's `matchConstraints` or a binding's `matchResources`: the
 * namespace and object selectors, some resource rule (all versions of a group/resource under
 * `matchPolicy: Equivalent`, the default) and no exclude rule.
 */
export function matchResourcesMatch(match: unknown, req: AdmissionRequestInfo): boolean {
  if (!isPlainObject(match)) {
    return true;
  }
  if (req.namespaceLabels !== undefined) {
    const namespaces = compileSelector(match.namespaceSelector ?? {});
    if (!namespaces || !namespaces.matches(req.namespaceLabels)) {
      return false;
    }
  }
  const objects = compileSelector(match.objectSelector ?? {});
  if (
    !objects ||
    !(objects.matches(labelsOf(req.object) ?? {}) || objects.matches(labelsOf(req.oldObject) ?? {}))
  ) {
    return false;
  }
  const exact = match.matchPolicy === 'Exact';
  const rules = objectsIn(match.resourceRules);
  if (rules.length > 0 && !rules.some((r) => ruleMatches(r, req, exact))) {
    return false;
  }
  return !objectsIn(match.excludeResourceRules).some((r) => ruleMatches(r, req, exact));
}
