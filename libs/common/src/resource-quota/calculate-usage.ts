import { scopeRequirementsOf, type ResourceQuotaLike } from './check-request';
import {
  CORE_QUOTA_EVALUATORS,
  parseObjectCountName,
  quotaEvaluatorFor,
  type QuotaEvaluator,
} from './evaluators';
import {
  addLists,
  formatQuotaQuantity,
  listsEqual,
  maskList,
  parseQuotaList,
  quotaListJson,
  zeroQuantity,
  type QuotaList,
} from './resource-list';
import { isObject } from './json';

/**
 * The evaluators a quota with these hard names needs: the core ones that track any of them, and
 * an object-count evaluator for each other `count/<resource>.<group>` (the quota monitor's
 * discovered resources upstream).
 */
export function evaluatorsForNames(names: readonly string[]): QuotaEvaluator[] {
  const result = CORE_QUOTA_EVALUATORS.filter((e) => e.matchingResources(names).length > 0);
  for (const name of names) {
    if (result.some((e) => e.matchingResources([name]).length > 0)) {
      continue;
    }
    const counted = parseObjectCountName(name);
    const evaluator = counted && quotaEvaluatorFor(counted.group, counted.resource);
    if (evaluator) {
      result.push(evaluator);
    }
  }
  return result;
}

/**
 * quota.CalculateUsage with generic.CalculateUsageStats: for every tracked hard name, the sum over
 * the namespace's objects that fall in all of the quota's scopes (zero when none do). `objectsOf`
 * lists one evaluator's objects of the namespace.
 */
export function calculateQuotaUsage(
  quota: ResourceQuotaLike,
  hardNames: readonly string[],
  objectsOf: (evaluator: QuotaEvaluator) => readonly object[],
  nowMs: number,
): QuotaList {
  const evaluators = evaluatorsForNames(hardNames);
  const matched = hardNames.filter((n) => evaluators.some((e) => e.matchingResources([n]).length));
  const scopes = scopeRequirementsOf(quota);
  let usage: QuotaList = new Map();
  for (const evaluator of evaluators) {
    const tracked = evaluator.matchingResources(matched);
    let stats: QuotaList = new Map(tracked.map((n) => [n, zeroQuantity()]));
    for (const obj of objectsOf(evaluator)) {
      if (scopes.every((s) => evaluator.matchesScope(s, obj))) {
        stats = addLists(stats, evaluator.usage(obj, nowMs));
      }
    }
    usage = addLists(usage, stats);
  }
  return maskList(usage, matched);
}

/** The status the resource quota controller writes, and whether it differs from the stored one. */
export interface QuotaStatusResult {
  status: { hard: Record<string, string>; used: Record<string, string> };
  changed: boolean;
}

/**
 * syncResourceQuota's status: `hard` is the spec's; `used` keeps earlier observations, takes the
 * fresh usage, and is masked to the hard names. Written when hard or used changed.
 */
export function quotaStatusFor(
  quota: ResourceQuotaLike,
  objectsOf: (evaluator: QuotaEvaluator) => readonly object[],
  nowMs: number,
): QuotaStatusResult {
  const spec = isObject(quota.spec) ? quota.spec : {};
  const status = isObject(quota.status) ? quota.status : {};
  const hard = parseQuotaList(spec.hard);
  const hardNames = [...hard.keys()];
  const previousUsed = parseQuotaList(status.used);
  const used = new Map(previousUsed);
  for (const [name, q] of calculateQuotaUsage(quota, hardNames, objectsOf, nowMs)) {
    used.set(name, q);
  }
  const newUsed = maskList(used, hardNames);
  const previousHard = parseQuotaList(status.hard);
  const changed =
    !isObject(status.hard) ||
    !isObject(status.used) ||
    !listsEqual(previousHard, hard) ||
    !listsEqual(previousUsed, newUsed) ||
    [...newUsed].some(
      ([n, q]) => formatQuotaQuantity(q) !== formatQuotaQuantity(previousUsed.get(n)!),
    );
  return { status: { hard: quotaListJson(hard), used: quotaListJson(newUsed) }, changed };
}
