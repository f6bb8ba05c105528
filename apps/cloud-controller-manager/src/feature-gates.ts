import { ConfigError } from '@app/config';

/**
 * The controller-manager feature gates the CCM knows (kubernetes/controller-manager
 * pkg/features/kube_features.go), all alpha and off by default, as upstream; and
 * LoadBalancerStatusImprovements, the gate KEP-4631 (provisional) proposes for its Service
 * conditions, which no upstream release has yet.
 */
export const FEATURE_GATE_DEFAULTS = {
  CloudControllerManagerWatchBasedRoutesReconciliation: false,
  CloudControllerManagerWebhook: false,
  ControllerManagerReleaseLeaderElectionLockOnExit: false,
  LoadBalancerStatusImprovements: false,
} as const;

export type FeatureGate = keyof typeof FEATURE_GATE_DEFAULTS;
export type FeatureGates = Record<FeatureGate, boolean>;

const isKnown = (name: string): name is FeatureGate => Object.hasOwn(FEATURE_GATE_DEFAULTS, name);

/**
 * `--feature-gates=Name=true,Other=false` (component-base's featuregate.Set): unknown names and
 * values other than true/false refuse the start.
 */
export function parseFeatureGates(flag: string): FeatureGates {
  const gates: FeatureGates = { ...FEATURE_GATE_DEFAULTS };
  for (const entry of flag.split(',')) {
    const text = entry.trim();
    if (text === '') {
      continue;
    }
    const [name, value = ''] = text.split('=', 2).map((s) => s.trim());
    if (!isKnown(name)) {
      throw new ConfigError(`--feature-gates: unrecognized feature gate: ${name}`);
    }
    if (value !== 'true' && value !== 'false') {
      throw new ConfigError(
        `--feature-gates: invalid value of ${name}=${value}, err: strconv.ParseBool: parsing "${value}": invalid syntax`,
      );
    }
    gates[name] = value === 'true';
  }
  return gates;
}
