import {
  Injectable,
  type CallHandler,
  type ExecutionContext,
  type NestInterceptor,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Clock } from '@app/common';
import type { Response } from 'express';
import type { Socket } from 'node:net';
import { map, mergeMap, NEVER, type Observable, tap, throwError, timer } from 'rxjs';
import type { NimbusRequest } from '../conventions/request-context';
import { latencyOf } from './fault-draw';
import { FaultHoldsService, type AnsweredOperation } from './fault-holds.service';
import { FaultRulesService, type FaultHit } from './fault-rules.service';
import { FaultTargetsRepository } from './fault-targets.repository';
import { InjectedFault } from './injected-fault';

/**
 * Applies fault rules to authenticated API calls (not to the admin API, so a rule can always be
 * removed). Runs after the guards, so the principal and the operation are known. Before the
 * handler: error, latency, hang, resetConnection. After it (the change is committed):
 * commitThenFail, stuckOperation, failedOperation.
 */
@Injectable()
export class FaultInterceptor implements NestInterceptor, OnModuleDestroy {
  private readonly hung = new Set<Socket>();

  constructor(
    private readonly rules: FaultRulesService,
    private readonly holds: FaultHoldsService,
    private readonly targets: FaultTargetsRepository,
    private readonly clock: Clock,
  ) {}

  /** Hung connections would keep the server from closing. */
  onModuleDestroy(): void {
    this.hung.forEach((socket) => socket.destroy());
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (!this.rules.active) {
      return next.handle();
    }
    const http = context.switchToHttp();
    const req = http.getRequest<NimbusRequest>();
    const call = req.call;
    const principal = req.nimbus?.principal;
    if (!call?.operation || !principal || call.operation.name.startsWith('admin.')) {
      return next.handle();
    }
    const hit = this.rules.evaluate({
      operation: call.operation.name,
      method: req.method,
      resourceType: call.operation.resourceType,
      resourceId: call.resourceId,
      projectId: principal.projectId,
      tokenName: principal.tokenName,
      now: this.clock.now(),
      resource: () => this.describe(req, call.operation!.resourceType, call.resourceId),
    });
    if (!hit) {
      return next.handle();
    }
    call.faultRuleId = hit.rule.id;
    return this.apply(hit, req, http.getResponse<Response>(), next, principal.projectId);
  }

  private apply(
    hit: FaultHit,
    req: NimbusRequest,
    res: Response,
    next: CallHandler,
    projectId: string,
  ): Observable<unknown> {
    const { effect } = hit.rule.spec;
    const failure = () =>
      new InjectedFault(
        hit.rule.id,
        effect.status ?? 503,
        effect.code ?? 'UNAVAILABLE',
        effect.message ?? `injected fault (rule ${hit.rule.id})`,
        effect.retryAfterSeconds,
      );
    switch (effect.type) {
      case 'error':
        return throwError(failure);
      case 'latency':
        return timer(latencyOf(effect, hit.seed, hit.n)).pipe(mergeMap(() => next.handle()));
      case 'hang': {
        const socket = req.socket;
        this.hung.add(socket);
        socket.once('close', () => this.hung.delete(socket));
        return NEVER;
      }
      case 'resetConnection':
        res.socket?.destroy();
        return NEVER;
      case 'commitThenFail':
        return next.handle().pipe(
          map(() => {
            throw failure();
          }),
        );
      case 'stuckOperation':
      case 'failedOperation':
        return next.handle().pipe(
          tap((body: unknown) => {
            const op = (body as { operation?: AnsweredOperation } | undefined)?.operation;
            if (op?.id && op.target) {
              this.holds.hold(hit.rule.id, effect, projectId, op);
            }
          }),
        );
    }
  }

  /** Name and labels for name/label matching: the create request's, or the stored resource's. */
  private describe(req: NimbusRequest, type: string, id: string | undefined) {
    if (id === undefined) {
      const body = req.body as { name?: unknown; labels?: unknown } | undefined;
      return {
        name: typeof body?.name === 'string' ? body.name : undefined,
        labels:
          body?.labels && typeof body.labels === 'object'
            ? (body.labels as Record<string, string>)
            : undefined,
      };
    }
    const facts = this.targets.describe(type, id);
    const principal = req.nimbus!.principal;
    if (!facts || (facts.projectId !== principal.projectId && !principal.admin)) {
      return undefined;
    }
    return {
      name: facts.name,
      labels: facts.labels ? (JSON.parse(facts.labels) as Record<string, string>) : undefined,
    };
  }
}
