import type { LabelSelector } from '@app/kube-client';

type Labels = Record<string, string> | undefined;

/**
 * upstream metav1.LabelSelectorAsSelector + Matches: every `matchLabels` pair and every
 * `matchExpressions` requirement must hold. An empty selector matches everything; a missing
 * one (`undefined`) matches nothing, as upstream's nil selector.
 */
export function selectorMatches(selector: LabelSelector | undefined, labels: Labels): boolean {
  return selectorMatcher(selector)(labels);
}

/**
 * `selectorMatches` with the selector taken apart once: for a walk of every pod of a namespace
 * (a ReplicaSet's claim), which would otherwise list the selector's labels for every pod.
 */
export function selectorMatcher(selector: LabelSelector | undefined): (labels: Labels) => boolean {
  if (!selector) {
    return () => false;
  }
  const matchLabels = Object.entries(selector.matchLabels ?? {});
  const expressions = selector.matchExpressions ?? [];
  return (labels) => {
    const l = labels ?? {};
    for (const [key, value] of matchLabels) {
      if (l[key] !== value) {
        return false;
      }
    }
    return expressionsHold(expressions, l);
  };
}

function expressionsHold(
  expressions: NonNullable<LabelSelector['matchExpressions']>,
  l: Record<string, string>,
): boolean {
  for (const req of expressions) {
    const has = Object.prototype.hasOwnProperty.call(l, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!has || !values.includes(l[req.key])) {
          return false;
        }
        break;
      case 'NotIn':
        if (has && values.includes(l[req.key])) {
          return false;
        }
        break;
      case 'Exists':
        if (!has) {
          return false;
        }
        break;
      case 'DoesNotExist':
        if (has) {
          return false;
        }
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True when the selector selects nothing in particular (upstream's `selector.Empty()`). */
export function isEmptySelector(selector: LabelSelector | undefined): boolean {
  return (
    !!selector &&
    Object.keys(selector.matchLabels ?? {}).length === 0 &&
    (selector.matchExpressions ?? []).length === 0
  );
}

/** A ReplicationController's map selector as a LabelSelector (upstream SelectorFromSet). */
export function mapSelector(selector: Record<string, string> | undefined): LabelSelector {
  return { matchLabels: { ...(selector ?? {}) } };
}
