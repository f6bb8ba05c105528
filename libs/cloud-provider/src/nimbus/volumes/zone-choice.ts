import type { TopologyRequirement, TopologySegments } from '../../api/volumes';
import { NIMBUS_ZONE_TOPOLOGY_KEY, WELL_KNOWN_ZONE_TOPOLOGY_KEY } from './csi-driver';

const zoneOf = (segments: TopologySegments): string | undefined =>
  segments[WELL_KNOWN_ZONE_TOPOLOGY_KEY] ?? segments[NIMBUS_ZONE_TOPOLOGY_KEY];

/**
 * The zone a new volume goes to, as cloud CSI drivers pick it: the first preferred topology
 * with a zone, else the first requisite one, else `fallback` (no requirement at all).
 */
export function chooseZone(
  requirement: TopologyRequirement | undefined,
  fallback: () => Promise<string>,
): Promise<string> {
  for (const segments of [...(requirement?.preferred ?? []), ...(requirement?.requisite ?? [])]) {
    const zone = zoneOf(segments);
    if (zone) {
      return Promise.resolve(zone);
    }
  }
  return fallback();
}

/** Whether an existing volume's zone satisfies the requirement (any requisite term). */
export function zoneSatisfies(zone: string, requirement: TopologyRequirement | undefined): boolean {
  const terms = requirement?.requisite ?? [];
  return terms.length === 0 || terms.some((segments) => (zoneOf(segments) ?? zone) === zone);
}
