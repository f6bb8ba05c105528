import type { V1LabelSelector } from '@app/kube-client';

export type Labels = Readonly<Record<string, string>> | undefined;

/** `labels` has every one of `keys` (empty values included). */
export function hasAllLabelKeys(labels: Labels, keys: readonly string[]): boolean {
  return (
    keys.length === 0 ||
    (labels !== undefined && keys.every((k) => Object.prototype.hasOwnProperty.call(labels, k)))
  );
}

/**
 * apimachinery's labels.Selector, compiled once: `matches` is called per pod per node in the hot
 * path. `empty` is true for the selector that matches everything (no requirements).
 */
export interface Selector {
  readonly empty: boolean;
  /** false only for `nothing`. */
  readonly matchesAnything: boolean;
  matches(labels: Labels): boolean;
  /** A stable text form (caches key counts by it). */
  readonly key: string;
}

type Requirement = (labels: Labels) => boolean;

export const everything: Selector = {
  empty: true,
  matchesAnything: true,
  matches: () => true,
  key: '',
};

/** labels.Nothing(): matches no object (a nil LabelSelector in affinity terms). */
export const nothing: Selector = {
  empty: false,
  matchesAnything: false,
  matches: () => false,
  key: '<nothing>',
};

function fromRequirements(requirements: Requirement[], key: string): Selector {
  if (requirements.length === 0) {
    return everything;
  }
  return {
    empty: false,
    matchesAnything: true,
    matches: (labels) => {
      for (const r of requirements) {
        if (!r(labels)) {
          return false;
        }
      }
      return true;
    },
    key,
  };
}

const has = (labels: Labels, k: string): boolean =>
  labels !== undefined && Object.prototype.hasOwnProperty.call(labels, k);

/** A selector from a label set (`SelectorFromSet`): every key equal. */
export function selectorFromSet(set: Labels): Selector {
  const entries = Object.entries(set ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return fromRequirements(
    entries.map(
      ([k, v]) =>
        (labels) =>
          has(labels, k) && labels![k] === v,
    ),
    entries.map(([k, v]) => `${k}=${v}`).join(','),
  );
}

/**
 * metav1.LabelSelectorAsSelector: undefined → nothing, `{}` → everything, else matchLabels AND
 * matchExpressions (In, NotIn, Exists, DoesNotExist). An unknown operator matches nothing (the
 * api-server would have rejected it).
 */
export function labelSelectorAsSelector(selector: V1LabelSelector | undefined | null): Selector {
  if (!selector) {
    return nothing;
  }
  const requirements: Requirement[] = [];
  const parts: string[] = [];
  for (const [k, v] of Object.entries(selector.matchLabels ?? {}).sort()) {
    requirements.push((labels) => has(labels, k) && labels![k] === v);
    parts.push(`${k}=${v}`);
  }
  for (const e of selector.matchExpressions ?? []) {
    const values = new Set(e.values ?? []);
    const k = e.key;
    parts.push(`${k} ${e.operator} (${[...values].sort().join(',')})`);
    switch (e.operator) {
      case 'In':
        requirements.push((labels) => has(labels, k) && values.has(labels![k]));
        break;
      case 'NotIn':
        requirements.push((labels) => !has(labels, k) || !values.has(labels![k]));
        break;
      case 'Exists':
        requirements.push((labels) => has(labels, k));
        break;
      case 'DoesNotExist':
        requirements.push((labels) => !has(labels, k));
        break;
      default:
        return nothing;
    }
  }
  return fromRequirements(requirements, parts.join(','));
}

/** `selector.Add(requirements of other)`: both must match. */
export function andSelectors(a: Selector, b: Selector): Selector {
  if (a.empty) {
    return b;
  }
  if (b.empty) {
    return a;
  }
  if (!a.matchesAnything || !b.matchesAnything) {
    return nothing;
  }
  return {
    empty: false,
    matchesAnything: true,
    matches: (labels) => a.matches(labels) && b.matches(labels),
    key: `${a.key},${b.key}`,
  };
}

/** Requirements `key In (value)` for each of `keys` the pod carries (matchLabelKeys). */
export function selectorFromLabelKeys(
  keys: readonly string[] | undefined,
  labels: Labels,
): Selector {
  const set: Record<string, string> = {};
  for (const k of keys ?? []) {
    if (has(labels, k)) {
      set[k] = labels![k];
    }
  }
  return selectorFromSet(set);
}
