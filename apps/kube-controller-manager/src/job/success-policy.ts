import type { JobObject } from '@app/kube-client';
import { OrderedIntervals } from './indexes';

export type SuccessPolicy = NonNullable<NonNullable<JobObject['spec']>['successPolicy']>;

/**
 * upstream matchSuccessPolicy: the first rule whose `succeededIndexes` all succeeded (or at
 * least `succeededCount` of them), or with only `succeededCount`, that many indexes in total.
 * Answers the SuccessCriteriaMet message ("Matched rules at index 0").
 */
export function matchSuccessPolicy(
  policy: SuccessPolicy | undefined | null,
  completions: number,
  succeeded: OrderedIntervals,
): string | undefined {
  if (!policy || succeeded.total() === 0) {
    return undefined;
  }
  for (const [index, rule] of (policy.rules ?? []).entries()) {
    if (rule.succeededIndexes !== undefined && rule.succeededIndexes !== null) {
      const required = OrderedIntervals.parse(rule.succeededIndexes, completions);
      if (required.total() === 0) {
        continue;
      }
      let overlap = 0;
      for (const r of required.intervals) {
        for (const s of succeeded.intervals) {
          overlap += Math.max(0, Math.min(r.last, s.last) - Math.max(r.first, s.first) + 1);
        }
      }
      const count = rule.succeededCount;
      if (overlap === required.total() || (count !== undefined && overlap >= count)) {
        return `Matched rules at index ${index}`;
      }
    } else if (rule.succeededCount !== undefined && succeeded.total() >= rule.succeededCount) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}
