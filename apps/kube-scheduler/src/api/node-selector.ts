import type {
  V1Node,
  V1NodeSelectorRequirement,
  V1NodeSelectorTerm,
  V1Pod,
} from '@app/kube-client';
import type { Labels } from './labels';

type NodeMatcher = (labels: Labels, name: string) => boolean;

const hasLabel = (labels: Labels, k: string): boolean =>
  labels !== undefined && Object.prototype.hasOwnProperty.call(labels, k);

/** One matchExpressions requirement; undefined when it cannot parse (the term is then ignored). */
function labelRequirement(r: V1NodeSelectorRequirement): NodeMatcher | undefined {
  const values = r.values ?? [];
  const set = new Set(values);
  const k = r.key;
  switch (r.operator) {
    case 'In':
      return values.length ? (l) => hasLabel(l, k) && set.has(l![k]) : undefined;
    case 'NotIn':
      return values.length ? (l) => !hasLabel(l, k) || !set.has(l![k]) : undefined;
    case 'Exists':
      return values.length ? undefined : (l) => hasLabel(l, k);
    case 'DoesNotExist':
      return values.length ? undefined : (l) => !hasLabel(l, k);
    case 'Gt':
    case 'Lt': {
      if (values.length !== 1 || !/^-?\d+$/.test(values[0])) {
        return undefined;
      }
      const bound = Number(values[0]);
      const gt = r.operator === 'Gt';
      return (l) => {
        if (!hasLabel(l, k) || !/^-?\d+$/.test(l![k])) {
          return false;
        }
        const v = Number(l![k]);
        return gt ? v > bound : v < bound;
      };
    }
    default:
      return undefined;
  }
}

/** matchFields: only `metadata.name` with In / NotIn of exactly one value is valid. */
function fieldRequirement(r: V1NodeSelectorRequirement): NodeMatcher | undefined {
  const values = r.values ?? [];
  if (r.key !== 'metadata.name' || values.length !== 1) {
    return undefined;
  }
  if (r.operator === 'In') {
    return (_l, name) => name === values[0];
  }
  if (r.operator === 'NotIn') {
    return (_l, name) => name !== values[0];
  }
  return undefined;
}

/** A compiled NodeSelectorTerm; an empty or unparsable term matches nothing. */
function compileTerm(term: V1NodeSelectorTerm): NodeMatcher | undefined {
  const expressions = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (expressions.length === 0 && fields.length === 0) {
    return undefined;
  }
  const matchers: NodeMatcher[] = [];
  for (const r of expressions) {
    const m = labelRequirement(r);
    if (!m) {
      return undefined;
    }
    matchers.push(m);
  }
  for (const r of fields) {
    const m = fieldRequirement(r);
    if (!m) {
      return undefined;
    }
    matchers.push(m);
  }
  return (labels, name) => matchers.every((m) => m(labels, name));
}

/** component-helpers' nodeaffinity.NodeSelector: terms ORed. */
export function compileNodeSelectorTerms(terms: readonly V1NodeSelectorTerm[]): NodeMatcher {
  const compiled = terms.map(compileTerm).filter((t): t is NodeMatcher => t !== undefined);
  return (labels, name) => compiled.some((t) => t(labels, name));
}

/** One preferred term with its weight. */
export interface PreferredTerm {
  weight: number;
  matches: NodeMatcher;
}

export function compilePreferredTerms(
  terms: readonly { weight: number; preference: V1NodeSelectorTerm }[],
): PreferredTerm[] {
  const out: PreferredTerm[] = [];
  for (const t of terms) {
    if (t.weight === 0) {
      continue;
    }
    const m = compileTerm(t.preference);
    if (m) {
      out.push({ weight: t.weight, matches: m });
    }
  }
  return out;
}

/**
 * nodeaffinity.RequiredNodeAffinity: `spec.nodeSelector` AND the required node affinity terms.
 * `matches` is true for every node when the pod has neither.
 */
export class RequiredNodeAffinity {
  readonly empty: boolean;
  private readonly selector: [string, string][];
  private readonly terms: NodeMatcher | undefined;

  constructor(pod: V1Pod) {
    this.selector = Object.entries(pod.spec?.nodeSelector ?? {});
    const required =
      pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
    this.terms = required ? compileNodeSelectorTerms(required.nodeSelectorTerms ?? []) : undefined;
    this.empty = this.selector.length === 0 && this.terms === undefined;
  }

  matches(labels: Labels, name: string): boolean {
    for (const [k, v] of this.selector) {
      if (!hasLabel(labels, k) || labels![k] !== v) {
        return false;
      }
    }
    return this.terms ? this.terms(labels, name) : true;
  }

  matchesNode(node: V1Node): boolean {
    return this.matches(node.metadata?.labels, node.metadata?.name ?? '');
  }
}
