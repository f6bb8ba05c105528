import type { HorizontalPodAutoscalerObject } from '@app/kube-client';

type Behavior = NonNullable<NonNullable<HorizontalPodAutoscalerObject['spec']>['behavior']>;
type Rules = NonNullable<Behavior['scaleUp']>;

interface Recommendation {
  replicas: number;
  atMs: number;
}
interface ScaleEvent {
  change: number;
  atMs: number;
  outdated: boolean;
}

/** A condition the normalization sets: AbleToScale (stabilized or not) and ScalingLimited. */
export interface NormalizeConditions {
  ableToScale: { reason: string; message: string };
  scalingLimited: { status: 'True' | 'False'; reason: string; message: string };
}

const SCALE_UP_STABILIZED = {
  reason: 'ScaleUpStabilized',
  message:
    'recent recommendations were lower than current one, applying the lowest recent recommendation',
};
const SCALE_DOWN_STABILIZED = {
  reason: 'ScaleDownStabilized',
  message:
    'recent recommendations were higher than current one, applying the highest recent recommendation',
};

/**
 * The normalized count with its conditions: AbleToScale says whether stabilization changed the
 * recommendation, ScalingLimited whether a bound or rate limit changed the stabilized one.
 */
function normalized(
  desired: number,
  stabilized: number,
  stabilizedReason: { reason: string; message: string },
  limited: Limited,
): { replicas: number; conditions: NormalizeConditions } {
  return {
    replicas: limited.replicas,
    conditions: {
      ableToScale:
        stabilized !== desired
          ? stabilizedReason
          : { reason: 'ReadyForNewScale', message: 'recommended size matches current size' },
      scalingLimited: {
        status: limited.replicas === stabilized ? 'False' : 'True',
        reason: limited.reason,
        message: limited.message,
      },
    },
  };
}

/** scaleUpLimitFactor and scaleUpLimitMinimum: without `behavior`, at most ×2 (or 4) per sync. */
const calculateScaleUpLimit = (current: number) => Math.max(2 * current, 4);

/**
 * What the HPA controller remembers between syncs of each autoscaler (upstream's
 * `recommendations`, `scaleUpEvents`, `scaleDownEvents`), and the normalization that reads it:
 * the downscale stabilization window, the scale-up limit, and with `behavior` its stabilization
 * windows and rate policies (pkg/controller/podautoscaler/horizontal.go, 1.32).
 */
export class AutoscalerHistory {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();

  constructor(
    /** --horizontal-pod-autoscaler-downscale-stabilization (5m). */
    private readonly downscaleStabilizationMs: number,
  ) {}

  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }

  /** recordInitialRecommendation: the current count is the first recommendation. */
  recordInitial(key: string, replicas: number, nowMs: number): void {
    if (!this.recommendations.has(key)) {
      this.recommendations.set(key, [{ replicas, atMs: nowMs }]);
    }
  }

  /** normalizeDesiredReplicas (no `behavior`). */
  normalize(
    key: string,
    current: number,
    desired: number,
    min: number,
    max: number,
    nowMs: number,
  ): { replicas: number; conditions: NormalizeConditions } {
    const stabilized = this.stabilize(key, desired, nowMs);
    return normalized(
      desired,
      stabilized,
      SCALE_DOWN_STABILIZED,
      withRules(current, stabilized, min, max),
    );
  }

  /** normalizeDesiredReplicasWithBehaviors. */
  normalizeWithBehavior(
    key: string,
    behavior: Behavior,
    current: number,
    desired: number,
    min: number,
    max: number,
    nowMs: number,
  ): { replicas: number; conditions: NormalizeConditions } {
    const scaleUp = behavior.scaleUp ?? { policies: [] };
    // maybeInitScaleDownStabilizationWindow: an unset window is the controller's.
    const scaleDown: Rules = {
      ...(behavior.scaleDown ?? { policies: [] }),
      stabilizationWindowSeconds:
        behavior.scaleDown?.stabilizationWindowSeconds ??
        Math.trunc(this.downscaleStabilizationMs / 1000),
    };
    const { stabilized, reason, message } = this.stabilizeWithBehavior(
      key,
      scaleUp,
      scaleDown,
      current,
      desired,
      nowMs,
    );
    const limited = this.withBehaviorRate(
      key,
      scaleUp,
      scaleDown,
      current,
      stabilized,
      min,
      max,
      nowMs,
    );
    return normalized(desired, stabilized, { reason, message }, limited);
  }

  /** storeScaleEvent: only with `behavior` (its policies read them). */
  storeScaleEvent(
    key: string,
    behavior: Behavior | undefined,
    previous: number,
    next: number,
    nowMs: number,
  ): void {
    if (!behavior) {
      return;
    }
    const up = next > previous;
    const events = (up ? this.scaleUpEvents : this.scaleDownEvents).get(key) ?? [];
    const longest = longestPolicyPeriod(up ? behavior.scaleUp : behavior.scaleDown);
    for (const event of events) {
      if (event.atMs < nowMs - longest * 1000) {
        event.outdated = true;
      }
    }
    const fresh = { change: up ? next - previous : previous - next, atMs: nowMs, outdated: false };
    const old = events.map((e) => e.outdated).lastIndexOf(true);
    if (old >= 0) {
      events[old] = fresh;
    } else {
      events.push(fresh);
    }
    (up ? this.scaleUpEvents : this.scaleDownEvents).set(key, events);
  }

  /** stabilizeRecommendation: the highest recommendation within the downscale window. */
  private stabilize(key: string, desired: number, nowMs: number): number {
    const list = this.recommendations.get(key) ?? [];
    const cutoff = nowMs - this.downscaleStabilizationMs;
    let highest = desired;
    let old = -1;
    list.forEach((rec, i) => {
      if (rec.atMs < cutoff) {
        old = i;
      } else if (rec.replicas > highest) {
        highest = rec.replicas;
      }
    });
    this.record(key, list, old, desired, nowMs);
    return highest;
  }

  /** stabilizeRecommendationWithBehaviors: both windows bound the recommendation. */
  private stabilizeWithBehavior(
    key: string,
    scaleUp: Rules,
    scaleDown: Rules,
    current: number,
    desired: number,
    nowMs: number,
  ): { stabilized: number; reason: string; message: string } {
    const list = this.recommendations.get(key) ?? [];
    const upCutoff = nowMs - (scaleUp.stabilizationWindowSeconds ?? 0) * 1000;
    const downCutoff = nowMs - (scaleDown.stabilizationWindowSeconds ?? 0) * 1000;
    let upRecommendation = desired;
    let downRecommendation = desired;
    let old = -1;
    list.forEach((rec, i) => {
      if (rec.atMs > upCutoff) {
        upRecommendation = Math.min(rec.replicas, upRecommendation);
      }
      if (rec.atMs > downCutoff) {
        downRecommendation = Math.max(rec.replicas, downRecommendation);
      }
      if (rec.atMs < upCutoff && rec.atMs < downCutoff) {
        old = i;
      }
    });
    let stabilized = current;
    if (stabilized < upRecommendation) {
      stabilized = upRecommendation;
    }
    if (stabilized > downRecommendation) {
      stabilized = downRecommendation;
    }
    this.record(key, list, old, desired, nowMs);
    return desired >= current
      ? { stabilized, ...SCALE_UP_STABILIZED }
      : { stabilized, ...SCALE_DOWN_STABILIZED };
  }

  private record(
    key: string,
    list: Recommendation[],
    old: number,
    replicas: number,
    nowMs: number,
  ) {
    if (old >= 0) {
      list[old] = { replicas, atMs: nowMs };
    } else {
      list.push({ replicas, atMs: nowMs });
    }
    this.recommendations.set(key, list);
  }

  /** convertDesiredReplicasWithBehaviorRate. */
  private withBehaviorRate(
    key: string,
    scaleUp: Rules,
    scaleDown: Rules,
    current: number,
    desired: number,
    min: number,
    max: number,
    nowMs: number,
  ): Limited {
    const ups = this.scaleUpEvents.get(key) ?? [];
    const downs = this.scaleDownEvents.get(key) ?? [];
    if (desired > current) {
      const limit = Math.max(current, scaleLimit('up', current, ups, downs, scaleUp, nowMs));
      const bound = upperBound(limit, max);
      if (desired > bound.replicas) {
        return bound;
      }
    } else if (desired < current) {
      const limit = Math.min(current, scaleLimit('down', current, ups, downs, scaleDown, nowMs));
      const bound: Limited =
        min < limit
          ? {
              replicas: limit,
              reason: 'ScaleDownLimit',
              message: 'the desired replica count is decreasing faster than the maximum scale rate',
            }
          : tooFew(min);
      if (desired < bound.replicas) {
        return bound;
      }
    }
    return withinRange(desired);
  }
}

/** A normalized count and the ScalingLimited reason and message that go with it. */
interface Limited {
  replicas: number;
  reason: string;
  message: string;
}

/** The highest count allowed: the rate limit, or maxReplicas when that is lower. */
function upperBound(limit: number, max: number): Limited {
  return max > limit
    ? {
        replicas: limit,
        reason: 'ScaleUpLimit',
        message: 'the desired replica count is increasing faster than the maximum scale rate',
      }
    : {
        replicas: max,
        reason: 'TooManyReplicas',
        message: 'the desired replica count is more than the maximum replica count',
      };
}

const tooFew = (min: number): Limited => ({
  replicas: min,
  reason: 'TooFewReplicas',
  message: 'the desired replica count is less than the minimum replica count',
});

const withinRange = (desired: number): Limited => ({
  replicas: desired,
  reason: 'DesiredWithinRange',
  message: 'the desired count is within the acceptable range',
});

/** convertDesiredReplicasWithRules (no `behavior`). */
function withRules(current: number, desired: number, min: number, max: number): Limited {
  const bound = upperBound(calculateScaleUpLimit(current), max);
  if (desired < min) {
    return tooFew(min);
  }
  return desired > bound.replicas ? bound : withinRange(desired);
}

/**
 * calculateScaleUpLimitWithScalingRules / calculateScaleDownLimitWithBehaviors: each policy
 * proposes a bound from the count at the start of its period; `selectPolicy` picks among them.
 */
function scaleLimit(
  direction: 'up' | 'down',
  current: number,
  ups: ScaleEvent[],
  downs: ScaleEvent[],
  rules: Rules,
  nowMs: number,
): number {
  if (rules.selectPolicy === 'Disabled') {
    return current;
  }
  // Scaling up, Min picks the smallest bound; scaling down, Min picks the largest one.
  const pickSmallest = (rules.selectPolicy === 'Min') === (direction === 'up');
  let result = pickSmallest ? Number.MAX_SAFE_INTEGER : Number.MIN_SAFE_INTEGER;
  for (const policy of rules.policies ?? []) {
    const added = changeInPeriod(policy.periodSeconds, ups, nowMs);
    const deleted = changeInPeriod(policy.periodSeconds, downs, nowMs);
    const periodStart = current - added + deleted;
    let proposed: number;
    if (direction === 'up') {
      proposed =
        policy.type === 'Pods'
          ? periodStart + policy.value
          : Math.ceil(periodStart * (1 + policy.value / 100));
    } else {
      proposed =
        policy.type === 'Pods'
          ? periodStart - policy.value
          : Math.trunc(periodStart * (1 - policy.value / 100));
    }
    result = pickSmallest ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

/** getReplicasChangePerPeriod. */
function changeInPeriod(periodSeconds: number, events: ScaleEvent[], nowMs: number): number {
  const cutoff = nowMs - periodSeconds * 1000;
  return events.filter((e) => e.atMs > cutoff).reduce((sum, e) => sum + e.change, 0);
}

function longestPolicyPeriod(rules: Rules | undefined): number {
  return Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds));
}
