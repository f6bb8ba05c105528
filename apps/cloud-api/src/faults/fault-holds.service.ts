import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Clock } from '@app/common';
import type { FaultEffectDto } from '@app/cloud-contracts';
import { SqliteDatabase } from '@app/persistence';
import { QuotasService } from '../quotas/quotas.service';
import { TransitionSettler, type Settleable } from '../transitions/transition-settler';
import { injectedProblem } from './injected-fault';
import { FaultTargetsRepository } from './fault-targets.repository';
import { FaultsRepository, type FaultHoldRow } from './faults.repository';

/** The operation a faulted mutation answered (its response body's `operation`). */
export interface AnsweredOperation {
  id: string;
  target: { type: string; id: string };
}

/**
 * stuckOperation and failedOperation faults. The faulted mutation commits normally; then its
 * running operation and the target's transition are parked (their instants set far in the
 * future), so no settler moves them. A stuck hold lasts until its rule is deleted: the transition
 * and operation then end at that instant. A failed hold fails when the operation would have
 * ended: the operation becomes `failed` with a problem, the resource goes to `error`.
 */
@Injectable()
export class FaultHoldsService implements Settleable, OnModuleInit {
  constructor(
    private readonly faults: FaultsRepository,
    private readonly targets: FaultTargetsRepository,
    private readonly quotas: QuotasService,
    private readonly settler: TransitionSettler,
    private readonly db: SqliteDatabase,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.settler.register(this);
  }

  hold(ruleId: string, effect: FaultEffectDto, projectId: string, op: AnsweredOperation): void {
    const now = this.clock.now();
    this.db.transaction(() => {
      const current = this.targets.operation(op.id);
      if (!current) {
        return;
      }
      const failed = effect.type === 'failedOperation';
      const error = failed
        ? JSON.stringify(
            injectedProblem(
              ruleId,
              500,
              effect.code ?? 'INTERNAL',
              effect.message ?? `operation failed (injected by fault rule ${ruleId})`,
              { requestId: '', instance: `/v1/operations/${op.id}` },
            ),
          )
        : null;
      if (current.status !== 'running') {
        // Already done (a zero-length change): a failure happens now, nothing is left to hold.
        if (failed) {
          this.fail(
            { operationId: op.id, targetType: op.target.type, targetId: op.target.id, projectId },
            error!,
            now,
          );
        }
        return;
      }
      this.targets.park(op.target.type, op.target.id);
      this.targets.parkOperation(op.id);
      this.faults.insertHold({
        operationId: op.id,
        ruleId,
        projectId,
        targetType: op.target.type,
        targetId: op.target.id,
        failAt: failed ? current.completesAt : null,
        error,
        createdAt: now,
      });
      if (failed) {
        this.settler.noteDue(current.completesAt);
      }
    });
  }

  /** The rule is gone: its stuck transitions and operations end now. */
  releaseStuck(ruleId?: string): void {
    const now = this.clock.now();
    this.db.transaction(() => {
      for (const hold of this.faults.stuckHolds(ruleId)) {
        this.targets.resume(hold.targetType, hold.targetId, now);
        this.targets.resumeOperations(hold.targetId, now);
        this.faults.deleteHold(hold.operationId);
      }
    });
    this.settler.noteDue(now);
    this.settler.settle();
  }

  hasDue(now: number): boolean {
    return this.faults.hasDueFailure(now);
  }

  nextDueAt(): number | null {
    return this.faults.nextFailureAt();
  }

  settleDue(now: number): void {
    for (const hold of this.faults.dueFailures(now)) {
      this.fail(hold, hold.error ?? '{}', hold.failAt!);
    }
  }

  private fail(
    hold: Pick<FaultHoldRow, 'operationId' | 'targetType' | 'targetId' | 'projectId'>,
    error: string,
    at: number,
  ): void {
    if (hold.targetType === 'volume') {
      for (const a of this.targets.parkedAttachments(hold.targetId)) {
        this.targets.settleFailedAttachment(hold.targetId, a.instanceId, a.state, at);
        if (a.state === 'attaching') {
          this.quotas.release(a.projectId, 'attachmentsPerInstance', 1, a.instanceId);
        }
      }
    }
    this.targets.fail(hold.targetType, hold.targetId, at);
    this.targets.resumeOperations(hold.targetId, at);
    this.targets.failOperation(hold.operationId, error, at);
    this.faults.deleteHold(hold.operationId);
  }
}
