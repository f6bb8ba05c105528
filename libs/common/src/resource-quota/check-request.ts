import type { QuotaEvaluator, ScopeRequirement } from './evaluators';
import {
  addLists,
  exceededNames,
  maskList,
  negativeNames,
  parseQuotaList,
  prettyPrintList,
  removeZeros,
  subtractNonNegative,
  type QuotaList,
} from './resource-list';
import { isObject, type Json } from './json';

/** A ResourceQuota as stored (only what quota arithmetic reads). */
export interface ResourceQuotaLike {
  metadata?: { name?: string; namespace?: string };
  spec?: unknown;
  status?: unknown;
}

const specOf = (q: ResourceQuotaLike): Json => (isObject(q.spec) ? q.spec : {});
const statusOf = (q: ResourceQuotaLike): Json => (isObject(q.status) ? q.status : {});

/** helper.GetScopeSelectorsFromQuota: `spec.scopes` as Exists requirements, then the selector's. */
export function scopeRequirementsOf(quota: ResourceQuotaLike): ScopeRequirement[] {
  const spec = specOf(quota);
  const scopes = Array.isArray(spec.scopes) ? spec.scopes.filter((s) => typeof s === 'string') : [];
  const selector = isObject(spec.scopeSelector) ? spec.scopeSelector : {};
  const expressions = Array.isArray(selector.matchExpressions)
    ? selector.matchExpressions.filter(isObject)
    : [];
  return [
    ...scopes.map((scopeName: string) => ({ scopeName, operator: 'Exists' })),
    ...expressions.map((e) => ({
      scopeName: typeof e.scopeName === 'string' ? e.scopeName : '',
      operator: typeof e.operator === 'string' ? e.operator : '',
      values: Array.isArray(e.values) ? e.values.map(String) : [],
    })),
  ];
}

/** generic.Matches: the quota tracks something the evaluator measures, and every scope holds. */
export function quotaMatches(
  hardNames: readonly string[],
  scopes: readonly ScopeRequirement[],
  evaluator: QuotaEvaluator,
  obj: object,
): boolean {
  return (
    evaluator.matchingResources(hardNames).length > 0 &&
    scopes.every((s) => evaluator.matchesScope(s, obj))
  );
}

/** A request the ResourceQuota admission plugin refuses; the message is upstream's. */
export class QuotaDeniedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'QuotaDeniedError';
  }
}

/** A quota whose `status.used` the request changes, and its new usage. */
export interface QuotaCharge<Q extends ResourceQuotaLike = ResourceQuotaLike> {
  quota: Q;
  used: QuotaList;
}

export interface QuotaRequest {
  evaluator: QuotaEvaluator;
  obj: object;
  /** The stored object on an update; undefined on a create. */
  old?: object;
  /** Status writes are charged but never refused (upstream skips the limit check for them). */
  statusOnly?: boolean;
  nowMs: number;
}

/**
 * The ResourceQuota admission plugin's CheckRequest (k8s.io/apiserver admission/plugin/
 * resourcequota): each quota of the namespace that matches the object must have computed usage,
 * the pod's required cpu/memory must be set, and used + the object's (delta) usage must stay at
 * or under every hard limit. Returns the quotas to charge; throws QuotaDeniedError.
 */
export function checkQuotaRequest<Q extends ResourceQuotaLike>(
  quotas: readonly Q[],
  request: QuotaRequest,
): QuotaCharge<Q>[] {
  const { evaluator, obj, old } = request;
  const interesting: Q[] = [];
  for (const quota of quotas) {
    const hard = parseQuotaList(statusOf(quota).hard);
    const hardNames = [...hard.keys()];
    if (!quotaMatches(hardNames, scopeRequirementsOf(quota), evaluator, obj)) {
      continue;
    }
    const restricted = evaluator.matchingResources(hardNames);
    const failed = evaluator.constraints?.(restricted, obj);
    if (failed) {
      throw new QuotaDeniedError(`failed quota: ${quota.metadata?.name}: ${failed}`);
    }
    const used = parseQuotaList(statusOf(quota).used);
    if (!restricted.every((name) => used.has(name))) {
      throw new QuotaDeniedError(
        `status unknown for quota: ${quota.metadata?.name}, resources: ${[...restricted].sort().join(',')}`,
      );
    }
    interesting.push(quota);
  }
  if (interesting.length === 0) {
    return [];
  }
  const inputUsage = evaluator.usage(obj, request.nowMs);
  const negative = negativeNames(inputUsage);
  if (negative.length > 0) {
    throw new QuotaDeniedError(
      `quota usage is negative for resource(s): ${negative.sort().join(',')}`,
    );
  }
  const charges: QuotaCharge<Q>[] = [];
  for (const quota of interesting) {
    let delta = inputUsage;
    // An update is charged the growth over the old object, where the quota counted it too.
    if (
      old &&
      quotaMatches(
        [...parseQuotaList(statusOf(quota).hard).keys()],
        scopeRequirementsOf(quota),
        evaluator,
        old,
      )
    ) {
      delta = subtractNonNegative(inputUsage, evaluator.usage(old, request.nowMs));
    }
    delta = removeZeros(delta);
    if (delta.size === 0) {
      continue;
    }
    const hard = parseQuotaList(statusOf(quota).hard);
    const used = parseQuotaList(statusOf(quota).used);
    const requested = maskList(delta, hard.keys());
    const newUsage = addLists(used, requested);
    if (!request.statusOnly) {
      const exceeded = exceededNames(maskList(newUsage, requested.keys()), hard);
      if (exceeded.length > 0) {
        throw new QuotaDeniedError(
          `exceeded quota: ${quota.metadata?.name}, requested: ${prettyPrintList(maskList(requested, exceeded))}, used: ${prettyPrintList(maskList(used, exceeded))}, limited: ${prettyPrintList(maskList(hard, exceeded))}`,
        );
      }
    }
    if (requested.size > 0) {
      charges.push({ quota, used: newUsage });
    }
  }
  return charges;
}
