import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';
import type { Principal } from '../auth/principal';
import type { CallRecord } from './call-record';

/** Per-request facts the conventions need: who, which request, and the conditional headers. */
export interface RequestContext {
  requestId: string;
  principal: Principal;
  method: string;
  /** Path without the query string. */
  path: string;
  idempotencyKey?: string;
  ifMatch?: string;
  /** The resource a mutation created or changed (set by the MutationRunner; the audit log reads it). */
  resourceId?: string;
  /**
   * Runs once a mutation has committed, with its answer (fault injection uses it: it may throw to
   * replace the answer, or hold the operation). Not called when the mutation failed.
   */
  afterCommit?: (body: unknown) => void;
}

export type NimbusRequest = Request & { nimbus?: RequestContext; call?: CallRecord };

/** Injects the RequestContext the AuthGuard attached. */
export const Ctx = createParamDecorator((_: unknown, ctx: ExecutionContext): RequestContext => {
  const req = ctx.switchToHttp().getRequest<NimbusRequest>();
  if (!req.nimbus) {
    throw new Error('RequestContext missing: is the route behind AuthGuard?');
  }
  return req.nimbus;
});

/** The id requestIdentity assigned (pino-http types it loosely). */
export function requestIdOf(req: NimbusRequest): string {
  return typeof req.id === 'string' ? req.id : '';
}
