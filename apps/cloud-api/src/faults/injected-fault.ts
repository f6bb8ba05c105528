import type { ProblemDto } from '@app/cloud-contracts';
import { ERROR_CODE_INFO } from '../http/problem';

/** An error answer produced by a fault rule (any status and code the rule chose). */
export class InjectedFault extends Error {
  constructor(
    readonly ruleId: string,
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'InjectedFault';
  }

  toProblem(requestId: string, instance: string): ProblemDto {
    return injectedProblem(this.ruleId, this.status, this.code, this.message, {
      requestId,
      instance,
      retryAfterSeconds: this.retryAfterSeconds,
    });
  }
}

/** problem+json of an injected error, shaped like every other error plus `injectedFaultId`. */
export function injectedProblem(
  ruleId: string,
  status: number,
  code: string,
  detail: string,
  extra: { requestId: string; instance: string; retryAfterSeconds?: number },
): ProblemDto {
  const known = ERROR_CODE_INFO[code as keyof typeof ERROR_CODE_INFO];
  const problem: ProblemDto = {
    type: `https://nimbus.dev/problems/${code.toLowerCase().replace(/_/g, '-')}`,
    title: known?.title ?? 'Injected fault',
    status,
    detail,
    instance: extra.instance,
    code,
    retryable: known?.retryable ?? (status >= 500 || status === 429),
    requestId: extra.requestId,
    injectedFaultId: ruleId,
  };
  if (extra.retryAfterSeconds !== undefined) {
    problem.retryAfterSeconds = extra.retryAfterSeconds;
  }
  return problem;
}
