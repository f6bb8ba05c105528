import type { V1Node } from '@app/kube-client';

/** utilnode.GetZoneKey: `<region>:\0:<zone>` from the topology (or beta failure-domain) labels. */
export function zoneKeyOf(node: V1Node): string {
  const l = node.metadata?.labels ?? {};
  const zone =
    l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region =
    l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  return region === '' && zone === '' ? '' : `${region}:\u0000:${zone}`;
}

/**
 * The scheduler cache's nodeTree: nodes grouped by zone, listed zone by zone in turn, so that
 * scanning only part of the list (percentageOfNodesToScore) still sees every zone.
 */
export class NodeTree {
  private readonly zones: string[] = [];
  private readonly byZone = new Map<string, string[]>();
  private readonly zoneOf = new Map<string, string>();

  get size(): number {
    return this.zoneOf.size;
  }

  add(node: V1Node): void {
    const name = node.metadata?.name ?? '';
    const zone = zoneKeyOf(node);
    const current = this.zoneOf.get(name);
    if (current === zone) {
      return;
    }
    if (current !== undefined) {
      this.remove(name);
    }
    let names = this.byZone.get(zone);
    if (!names) {
      names = [];
      this.byZone.set(zone, names);
      this.zones.push(zone);
    }
    names.push(name);
    this.zoneOf.set(name, zone);
  }

  remove(name: string): void {
    const zone = this.zoneOf.get(name);
    if (zone === undefined) {
      return;
    }
    this.zoneOf.delete(name);
    const names = this.byZone.get(zone) ?? [];
    names.splice(names.indexOf(name), 1);
    if (names.length === 0) {
      this.byZone.delete(zone);
      this.zones.splice(this.zones.indexOf(zone), 1);
    }
  }

  /** Round robin over the zones: the first node of each zone, then the second of each, … */
  list(): string[] {
    const out: string[] = [];
    for (let i = 0; out.length < this.zoneOf.size; i++) {
      for (const zone of this.zones) {
        const names = this.byZone.get(zone) ?? [];
        if (i < names.length) {
          out.push(names[i]);
        }
      }
    }
    return out;
  }
}
