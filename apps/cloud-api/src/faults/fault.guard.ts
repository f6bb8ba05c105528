import {
  Injectable,
  type CanActivate,
  type ExecutionContext,
  type OnModuleDestroy,
} from '@nestjs/common';
import { Clock } from '@app/common';
import type { Response } from 'express';
import type { Socket } from 'node:net';
import type { NimbusRequest } from '../conventions/request-context';
import { latencyOf } from './fault-draw';
import { FaultHoldsService, type AnsweredOperation } from './fault-holds.service';
import { FaultRulesService, type FaultHit } from './fault-rules.service';
import { FaultTargetsRepository } from './fault-targets.repository';
import { InjectedFault } from './injected-fault';
import { LatencyDelay } from './latency-delay';

/**
 * Applies fault rules to authenticated API calls (not to the admin API, so a rule can always be
 * removed). Runs after the AuthGuard, so the principal and the operation are known. Before the
 * handler: error, latency, hang, resetConnection. After the mutation committed (through the
 * MutationRunner's afterCommit hook): commitThenFail, stuckOperation, failedOperation.
 * A guard rather than an interceptor: with no rules it costs one property read.
 */
@Injectable()
export class FaultGuard implements CanActivate, OnModuleDestroy {
  private readonly hung = new Set<Socket>();

  constructor(
    private readonly rules: FaultRulesService,
    private readonly holds: FaultHoldsService,
    private readonly targets: FaultTargetsRepository,
    private readonly clock: Clock,
    private readonly latency: LatencyDelay,
  ) {}

  /** Hung connections would keep the server from closing. */
  onModuleDestroy(): void {
    this.hung.forEach((socket) => socket.destroy());
  }

  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    if (!this.rules.active) {
      return true;
    }
    const http = context.switchToHttp();
    const req = http.getRequest<NimbusRequest>();
    const call = req.call;
    const ctx = req.nimbus;
    if (!call?.operation || !ctx || call.operation.name.startsWith('admin.')) {
      return true;
    }
    const hit = this.rules.evaluate({
      operation: call.operation.name,
      method: req.method,
      resourceType: call.operation.resourceType,
      resourceId: call.resourceId,
      projectId: ctx.principal.projectId,
      tokenName: ctx.principal.tokenName,
      now: this.clock.now(),
      resource: () => this.describe(req, call.operation!.resourceType, call.resourceId),
    });
    if (!hit) {
      return true;
    }
    call.faultRuleId = hit.rule.id;
    return this.apply(hit, req, http.getResponse<Response>());
  }

  private apply(hit: FaultHit, req: NimbusRequest, res: Response): boolean | Promise<boolean> {
    const { effect } = hit.rule.spec;
    const ctx = req.nimbus!;
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
        throw failure();
      case 'latency':
        return this.latency.wait(latencyOf(effect, hit.seed, hit.n)).then(() => true);
      case 'hang': {
        const socket = req.socket;
        this.hung.add(socket);
        socket.once('close', () => this.hung.delete(socket));
        return new Promise<boolean>(() => undefined);
      }
      case 'resetConnection':
        res.socket?.destroy();
        return new Promise<boolean>(() => undefined);
      case 'commitThenFail':
        ctx.afterCommit = () => {
          throw failure();
        };
        return true;
      case 'stuckOperation':
      case 'failedOperation':
        ctx.afterCommit = (body: unknown) => {
          const op = (body as { operation?: AnsweredOperation } | undefined)?.operation;
          if (op?.id && op.target) {
            this.holds.hold(hit.rule.id, effect, ctx.principal.projectId, op);
          }
        };
        return true;
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
