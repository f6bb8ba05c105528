import type { NodeCondition, NodeObject } from '@app/kube-client';

export type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

/**
 * upstream ComputeZoneState: a zone is fully disrupted when none of its nodes is Ready,
 * partially disrupted when more than two and at least `unhealthyZoneThreshold` of them are not
 * Ready, normal otherwise. Answers the number of not-Ready nodes too.
 */
export function computeZoneState(
  readyConditions: readonly (NodeCondition | undefined)[],
  unhealthyZoneThreshold: number,
): { unhealthy: number; state: ZoneState } {
  let ready = 0;
  let notReady = 0;
  for (const c of readyConditions) {
    if (c?.status === 'True') {
      ready++;
    } else {
      notReady++;
    }
  }
  if (ready === 0 && notReady > 0) {
    return { unhealthy: notReady, state: 'FullDisruption' };
  }
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyZoneThreshold) {
    return { unhealthy: notReady, state: 'PartialDisruption' };
  }
  return { unhealthy: notReady, state: 'Normal' };
}

/**
 * k8s.io/component-helpers node/topology GetZoneKey: `<region>:\x00:<zone>` from the GA labels,
 * falling back to the beta ones; "" when the node has neither.
 */
export function zoneKeyOf(node: NodeObject): string {
  const labels = node.metadata?.labels ?? {};
  const zone =
    labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region =
    labels['topology.kubernetes.io/region'] ??
    labels['failure-domain.beta.kubernetes.io/region'] ??
    '';
  if (zone === '' && region === '') {
    return '';
  }
  return `${region}:\x00:${zone}`;
}

/** The eviction (NoExecute tainting) rate of a zone in a state (setLimiterInZone). */
export function zoneEvictionRate(
  state: ZoneState,
  zoneSize: number,
  rates: {
    nodeEvictionRate: number;
    secondaryNodeEvictionRate: number;
    largeClusterSizeThreshold: number;
  },
): number {
  switch (state) {
    case 'PartialDisruption':
      // ReducedQPSFunc: slower in large zones, stopped in small ones.
      return zoneSize > rates.largeClusterSizeThreshold ? rates.secondaryNodeEvictionRate : 0;
    case 'Normal':
    case 'FullDisruption':
    case 'Initial':
      return rates.nodeEvictionRate;
  }
}
