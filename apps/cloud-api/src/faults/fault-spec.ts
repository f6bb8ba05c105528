import { DomainError, type FieldViolation } from '@app/common';
import type {
  CreateFaultRuleRequest,
  FaultEffectDto,
  FaultMatchDto,
  FaultTriggerDto,
} from '@app/cloud-contracts';

/** A validated rule: what the service stores and evaluates. */
export interface FaultSpec {
  match: FaultMatchDto;
  trigger: FaultTriggerDto;
  effect: FaultEffectDto;
}

const GLOB = /^[A-Za-z0-9._*?/-]+$/;

/** Which effect types use which optional effect fields. */
const EFFECT_FIELDS: Record<string, string[]> = {
  status: ['error', 'commitThenFail'],
  code: ['error', 'commitThenFail', 'failedOperation'],
  message: ['error', 'commitThenFail', 'failedOperation'],
  retryAfterSeconds: ['error', 'commitThenFail'],
  distribution: ['latency'],
  ms: ['latency'],
  minMs: ['latency'],
  maxMs: ['latency'],
  meanMs: ['latency'],
  stddevMs: ['latency'],
};

const LATENCY_FIELDS: Record<string, string[]> = {
  fixed: ['ms'],
  uniform: ['minMs', 'maxMs'],
  normal: ['meanMs', 'stddevMs'],
};

/** The canonical code of an injected status (clients switch on it as on real errors). */
export function codeForStatus(status: number): string {
  const codes: Record<number, string> = {
    400: 'INVALID_ARGUMENT',
    401: 'UNAUTHENTICATED',
    403: 'PERMISSION_DENIED',
    404: 'NOT_FOUND',
    409: 'CONFLICT',
    412: 'PRECONDITION_FAILED',
    429: 'RATE_LIMITED',
    500: 'INTERNAL',
    503: 'UNAVAILABLE',
    504: 'DEADLINE_EXCEEDED',
  };
  return codes[status] ?? (status >= 500 ? 'INTERNAL' : 'INVALID_ARGUMENT');
}

/**
 * Cross-field rules the DTO decorators cannot express; every violation is reported with its
 * field, and defaults are filled in (status 503, the code of the status).
 */
export function validateFaultSpec(req: CreateFaultRuleRequest): FaultSpec {
  const violations: FieldViolation[] = [];
  const bad = (field: string, description: string) => violations.push({ field, description });
  const match = { ...(req.match ?? {}) };
  const trigger = { ...(req.trigger ?? {}) };
  const effect = { ...req.effect };

  for (const field of ['operation', 'resourceId', 'resourceName'] as const) {
    const value = match[field];
    if (value !== undefined && !GLOB.test(value)) {
      bad(`match.${field}`, 'letters, digits, . _ - / and the wildcards * and ?');
    }
  }
  const modes = (['probability', 'nthCall', 'firstCalls'] as const).filter(
    (k) => trigger[k] !== undefined,
  );
  if (modes.length > 1) {
    bad(`trigger.${modes[1]}`, `use only one of probability, nthCall and firstCalls`);
  }
  if (
    trigger.seed !== undefined &&
    trigger.probability === undefined &&
    effect.type !== 'latency'
  ) {
    bad('trigger.seed', 'only used with probability or a latency distribution');
  }
  if (
    trigger.from !== undefined &&
    trigger.until !== undefined &&
    Date.parse(trigger.until) <= Date.parse(trigger.from)
  ) {
    bad('trigger.until', 'must be after from');
  }

  for (const [field, types] of Object.entries(EFFECT_FIELDS)) {
    if (
      (effect as unknown as Record<string, unknown>)[field] !== undefined &&
      !types.includes(effect.type)
    ) {
      bad(`effect.${field}`, `not used by effect type ${effect.type} (only ${types.join(', ')})`);
    }
  }
  if (effect.type === 'commitThenFail' && effect.status !== undefined && effect.status < 500) {
    bad('effect.status', 'commitThenFail answers a 5xx (500-599)');
  }
  if (effect.type === 'latency') {
    if (effect.distribution === undefined) {
      bad('effect.distribution', 'required for latency: fixed, uniform or normal');
    } else {
      for (const field of LATENCY_FIELDS[effect.distribution]) {
        if ((effect as unknown as Record<string, unknown>)[field] === undefined) {
          bad(`effect.${field}`, `required for the ${effect.distribution} distribution`);
        }
      }
      for (const [distribution, fields] of Object.entries(LATENCY_FIELDS)) {
        for (const field of fields) {
          if (
            distribution !== effect.distribution &&
            (effect as unknown as Record<string, unknown>)[field] !== undefined
          ) {
            bad(`effect.${field}`, `not used by the ${effect.distribution} distribution`);
          }
        }
      }
      if (effect.minMs !== undefined && effect.maxMs !== undefined && effect.maxMs < effect.minMs) {
        bad('effect.maxMs', 'must be at least minMs');
      }
    }
  }
  if (violations.length > 0) {
    throw new DomainError(
      'INVALID_ARGUMENT',
      violations.map((v) => `${v.field}: ${v.description}`).join('; '),
      { fieldViolations: violations },
    );
  }
  if (effect.type === 'error' || effect.type === 'commitThenFail') {
    effect.status ??= 503;
    effect.code ??= codeForStatus(effect.status);
  }
  if (effect.type === 'failedOperation') {
    effect.code ??= 'INTERNAL';
  }
  return { match, trigger, effect };
}
