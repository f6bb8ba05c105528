import type { TopologyRequirement, TopologySegments } from '@app/cloud-provider';
import type { V1CSINode, V1Node, V1TopologySelectorTerm } from '@app/kube-client';
import { ProvisioningError } from './provisioning-state';

/** A sorted list of key/value segments (external-provisioner's topologyTerm). */
type Term = [string, string][];

export interface TopologyInputs {
  driver: string;
  claimName: string;
  allowedTopologies?: V1TopologySelectorTerm[];
  selectedNode?: string;
  csiNode(name: string): V1CSINode | undefined;
  csiNodes(): V1CSINode[];
  node(name: string): V1Node | undefined;
  nodes(): V1Node[];
}

/**
 * external-provisioner's GenerateAccessibilityRequirements (default flags: not strict, immediate
 * topology on). Requisite: the class's allowedTopologies, else the topologies of every node that
 * runs the driver. Preferred: rotated so the selected node's topology comes first, or — with no
 * selected node — by a hash of the claim name, so StatefulSet claims spread across zones.
 * Missing CSINode/Node of the selected node → `Reschedule`. One Nimbus difference: with no node
 * running the driver and no allowedTopologies, there is no requirement (upstream: "no available
 * topology found") and the driver uses its default zone.
 */
export function accessibilityRequirements(inputs: TopologyInputs): TopologyRequirement | undefined {
  const { driver, selectedNode } = inputs;
  let selectedTopology: Term | undefined;
  let keys: string[] = [];
  if (selectedNode) {
    const csiNode = inputs.csiNode(selectedNode);
    if (!csiNode) {
      throw new ProvisioningError(
        `error generating accessibility requirements: failed to get selected CSINode ${selectedNode}: csinode.storage.k8s.io "${selectedNode}" not found`,
        'Reschedule',
      );
    }
    keys = topologyKeys(csiNode, driver);
    if (keys.length === 0) {
      throw new ProvisioningError(
        `error generating accessibility requirements: no topology key found for node ${selectedNode}`,
        'NoChange',
      );
    }
    const node = inputs.node(selectedNode);
    if (!node) {
      throw new ProvisioningError(
        `error generating accessibility requirements: nodes "${selectedNode}" not found`,
        'Reschedule',
      );
    }
    selectedTopology = termFromLabels(node.metadata?.labels ?? {}, keys);
    if (!selectedTopology) {
      throw new ProvisioningError(
        `error generating accessibility requirements: topology labels from selected node ${JSON.stringify(node.metadata?.labels ?? {})} does not match topology keys from CSINode ${JSON.stringify(keys)}`,
        'NoChange',
      );
    }
  }

  let requisite: Term[];
  if ((inputs.allowedTopologies ?? []).length > 0) {
    requisite = flatten(inputs.allowedTopologies ?? []);
  } else {
    if (!selectedNode) {
      keys =
        inputs
          .csiNodes()
          .map((c) => topologyKeys(c, driver))
          .find((k) => k.length > 0) ?? [];
      if (keys.length === 0) {
        return undefined;
      }
    }
    requisite = inputs
      .nodes()
      .map((n) => termFromLabels(n.metadata?.labels ?? {}, keys))
      .filter((t): t is Term => t !== undefined && t.length > 0);
    if (requisite.length === 0) {
      throw new ProvisioningError(
        'error generating accessibility requirements: no available topology found',
        'NoChange',
      );
    }
  }
  requisite = dedupe(requisite.sort(compareTerms));

  let preferred: Term[];
  if (!selectedTopology) {
    const { hash, index } = claimNameHashAndIndexOffset(inputs.claimName);
    const i = Number((BigInt(hash) + BigInt(index)) % BigInt(requisite.length));
    preferred = [...requisite.slice(i), ...requisite.slice(0, i)];
  } else {
    const selected = selectedTopology;
    const i = requisite.findIndex((t) => isSubset(t, selected));
    if (i < 0) {
      throw new ProvisioningError(
        `error generating accessibility requirements: topology ${format(selected)} from selected node "${selectedNode}" is not in requisite: ${requisite.map(format).join(' ')}`,
        'NoChange',
      );
    }
    preferred = [...requisite.slice(i), ...requisite.slice(0, i)];
  }
  return { requisite: requisite.map(toSegments), preferred: preferred.map(toSegments) };
}

/** The driver's `topologyKeys` on a CSINode ([] when it does not run the driver). */
export function topologyKeys(csiNode: V1CSINode, driver: string): string[] {
  return csiNode.spec?.drivers?.find((d) => d.name === driver)?.topologyKeys ?? [];
}

/** Every key's label value, sorted by key; undefined if a key is missing. */
function termFromLabels(labels: Record<string, string>, keys: string[]): Term | undefined {
  const term: Term = [];
  for (const key of keys) {
    const value = labels[key];
    if (value === undefined) {
      return undefined;
    }
    term.push([key, value]);
  }
  return sortTerm(term);
}

/** allowedTopologies: terms are ORed, expressions ANDed, values ORed — distributed into terms. */
export function flatten(allowed: V1TopologySelectorTerm[]): Term[] {
  const result: Term[] = [];
  for (const selectorTerm of allowed) {
    let terms: Term[] = [];
    for (const expression of selectorTerm.matchLabelExpressions ?? []) {
      const next: Term[] = [];
      for (const value of expression.values) {
        if (terms.length === 0) {
          next.push([[expression.key, value]]);
        } else {
          for (const term of terms) {
            next.push([...term, [expression.key, value]]);
          }
        }
      }
      terms = next;
    }
    result.push(...terms.map(sortTerm));
  }
  return result;
}

const sortTerm = (term: Term): Term =>
  [...term].sort((a, b) => (a[0] === b[0] ? cmp(a[1], b[1]) : cmp(a[0], b[0])));

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

function compareTerms(a: Term, b: Term): number {
  if (a.length !== b.length) {
    return a.length - b.length;
  }
  for (let i = 0; i < a.length; i++) {
    const r = cmp(a[i][0], b[i][0]) || cmp(a[i][1], b[i][1]);
    if (r !== 0) {
      return r;
    }
  }
  return 0;
}

const dedupe = (terms: Term[]): Term[] =>
  terms.filter((t, i) => i === 0 || compareTerms(t, terms[i - 1]) !== 0);

/** Every segment of `t` is in `other` with the same value. */
const isSubset = (t: Term, other: Term): boolean =>
  t.every(([key, value]) => other.some(([k, v]) => k === key && v === value));

const toSegments = (term: Term): TopologySegments => Object.fromEntries(term);

const format = (term: Term): string => `[${term.map(([k, v]) => `{${k} ${v}}`).join(' ')}]`;

/**
 * getPVCNameHashAndIndexOffset: FNV-1 32 of the name, or — for `<claim>-<statefulset>-<n>` — of
 * the StatefulSet part with `n` as the offset, so a StatefulSet's claims go round-robin.
 */
export function claimNameHashAndIndexOffset(name: string): { hash: number; index: number } {
  let hashString = name;
  let index = 0;
  const lastDash = name.lastIndexOf('-');
  if (lastDash !== -1) {
    const id = name.slice(lastDash + 1);
    if (/^\d+$/.test(id) && Number(id) <= 0xffffffff) {
      index = Number(id);
      hashString = name.slice(0, lastDash);
      const prefixDash = hashString.lastIndexOf('-');
      if (prefixDash !== -1) {
        hashString = hashString.slice(prefixDash + 1);
      }
    }
  }
  return { hash: fnv1_32(hashString), index };
}

/** Go's hash/fnv New32 (FNV-1, not 1a) over the UTF-8 bytes. */
export function fnv1_32(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, 'utf8')) {
    hash = Math.imul(hash, 0x01000193) >>> 0;
    hash = (hash ^ byte) >>> 0;
  }
  return hash;
}
