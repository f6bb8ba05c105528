import type { PolicyRule } from './policy-rule';

/*
 * Whether one set of rules grants everything another does (pkg/registry/rbac/validation
 * policy_comparator.go Covers): the servant rules are broken into single-verb, single-resource,
 * single-name rules, and each must be covered by some owner rule.
 */

function has(set: string[] | undefined, value: string): boolean {
  return (set ?? []).some((s) => s === '*' || s === value);
}

function resourceCovers(owner: string[] | undefined, resource: string): boolean {
  for (const o of owner ?? []) {
    if (o === '*' || o === resource) {
      return true;
    }
    const slash = resource.indexOf('/');
    if (o.startsWith('*/') && slash > 0 && o.slice(2) === resource.slice(slash + 1)) {
      return true;
    }
  }
  return false;
}

function urlCovers(owner: string[] | undefined, url: string): boolean {
  return (owner ?? []).some(
    (o) => o === '*' || o === url || (o.endsWith('*') && url.startsWith(o.slice(0, -1))),
  );
}

/** BreakdownRule: one rule per verb × group × resource × name, or verb × URL. */
export function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const verb of rule.verbs) {
    for (const group of rule.apiGroups ?? []) {
      for (const resource of rule.resources ?? []) {
        const names = rule.resourceNames?.length ? rule.resourceNames : [undefined];
        for (const name of names) {
          out.push({
            verbs: [verb],
            apiGroups: [group],
            resources: [resource],
            ...(name !== undefined ? { resourceNames: [name] } : {}),
          });
        }
      }
    }
    for (const url of rule.nonResourceURLs ?? []) {
      out.push({ verbs: [verb], nonResourceURLs: [url] });
    }
  }
  return out;
}

function covers(owner: PolicyRule, atom: PolicyRule): boolean {
  if (!has(owner.verbs, atom.verbs[0])) {
    return false;
  }
  if (atom.nonResourceURLs?.length) {
    return urlCovers(owner.nonResourceURLs, atom.nonResourceURLs[0]);
  }
  return (
    has(owner.apiGroups, atom.apiGroups![0]) &&
    resourceCovers(owner.resources, atom.resources![0]) &&
    (!owner.resourceNames?.length ||
      (atom.resourceNames !== undefined && owner.resourceNames.includes(atom.resourceNames[0])))
  );
}

/** The servant's single rules no owner rule covers (empty: the owner holds them all). */
export function uncovered(owners: PolicyRule[], servants: PolicyRule[]): PolicyRule[] {
  return servants.flatMap(breakdown).filter((atom) => !owners.some((o) => covers(o, atom)));
}

const quoted = (values: string[]) => `[${values.map((v) => JSON.stringify(v)).join(' ')}]`;

/**
 * CompactRules + CompactString: rules differing only in verbs merged, printed like
 * `{APIGroups:[""], Resources:["pods"], Verbs:["delete" "get"]}`.
 */
export function describeRules(rules: PolicyRule[]): string[] {
  const merged = new Map<string, PolicyRule>();
  for (const r of rules) {
    const key = JSON.stringify([r.apiGroups, r.resources, r.resourceNames, r.nonResourceURLs]);
    const existing = merged.get(key);
    if (existing) {
      existing.verbs = [...new Set([...existing.verbs, ...r.verbs])];
    } else {
      merged.set(key, { ...r, verbs: [...r.verbs] });
    }
  }
  return [...merged.values()]
    .map((r) => {
      const parts: string[] = [];
      if (r.apiGroups?.length) {
        parts.push(`APIGroups:${quoted(r.apiGroups)}`);
      }
      if (r.resources?.length) {
        parts.push(`Resources:${quoted(r.resources)}`);
      }
      if (r.resourceNames?.length) {
        parts.push(`ResourceNames:${quoted(r.resourceNames)}`);
      }
      if (r.nonResourceURLs?.length) {
        parts.push(`NonResourceURLs:${quoted(r.nonResourceURLs)}`);
      }
      parts.push(`Verbs:${quoted(r.verbs)}`);
      return `{${parts.join(', ')}}`;
    })
    .sort();
}

export const quotedList = quoted;
