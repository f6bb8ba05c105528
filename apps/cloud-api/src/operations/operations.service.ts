import { Injectable, type OnModuleInit } from '@nestjs/common';
import { Clock, IdGenerator, notFound } from '@app/common';
import type { ListOperationsQuery } from './operations.query';
import { PageTokenCodec } from '../conventions/page-token';
import { paginate, type Page } from '../conventions/paginate';
import { TransitionSettler, type Settleable } from '../transitions/transition-settler';
import { OperationsRepository, type OperationRow } from './operations.repository';

export interface OperationTarget {
  type: string;
  id: string;
  name: string;
}

/** Operations: started inside a mutation's transaction, done when the clock reaches `completesAt`. */
@Injectable()
export class OperationsService implements Settleable, OnModuleInit {
  constructor(
    private readonly operations: OperationsRepository,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
    private readonly settler: TransitionSettler,
    private readonly pageTokens: PageTokenCodec,
  ) {}

  onModuleInit(): void {
    this.settler.register(this);
  }

  /** Starts an operation finishing after `durationMs` (0 = already done). Call inside a transaction. */
  start(
    projectId: string,
    kind: string,
    target: OperationTarget,
    durationMs: number,
  ): OperationRow {
    const now = this.clock.now();
    const done = durationMs <= 0;
    if (!done) {
      this.settler.noteDue(now + durationMs);
    }
    return this.operations.insert({
      id: this.ids.next('op'),
      projectId,
      kind,
      targetType: target.type,
      targetId: target.id,
      targetName: target.name,
      status: done ? 'done' : 'running',
      error: null,
      createdAt: now,
      completesAt: now + Math.max(0, durationMs),
      doneAt: done ? now : null,
    });
  }

  get(projectId: string, id: string): OperationRow {
    const op = this.operations.find(projectId, id);
    if (!op) {
      throw notFound('operation', id);
    }
    return op;
  }

  list(projectId: string, query: ListOperationsQuery): Page<OperationRow> {
    return paginate(this.pageTokens, { ...query }, (after, limit) =>
      this.operations.page(projectId, after, limit, query.targetId),
    );
  }

  nextDueAt(): number | null {
    return this.operations.nextDueAt();
  }

  hasDue(now: number): boolean {
    return this.operations.hasDue(now);
  }

  settleDue(now: number): void {
    this.operations.completeDue(now);
  }
}
