import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Clock, parseDuration } from '@app/common';
import type { ResourceChangeEventDto } from '@app/cloud-contracts';
import { CloudApiConfig } from '@app/config';
import type { NextFunction, Request, Response } from 'express';
import { MaintenanceTicker } from '../maintenance.ticker';
import { ResourceChangesRepository, type ResourceChangeRow } from './resource-changes.repository';

const BATCH = 500;
const PURGE_EVERY_MS = 60_000;

interface Subscriber {
  projectId: string;
  send(event: ResourceChangeEventDto): void;
  close(): void;
}

/**
 * Fans resource changes (rows the SQLite triggers append to resource_changes) out to the
 * project's stream subscribers. It polls the table after every API call while someone listens
 * (a call may have committed a change or settled a transition) and on every maintenance tick
 * (transitions settled by the clock, changes written by other processes), so nothing depends on
 * which code path wrote the row.
 */
@Injectable()
export class ChangeStream implements OnModuleInit, OnModuleDestroy {
  private lastSeq = 0;
  private readonly subscribers = new Set<Subscriber>();
  private readonly retentionMs: number;
  private lastPurge = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly changes: ResourceChangesRepository,
    private readonly ticker: MaintenanceTicker,
    private readonly clock: Clock,
    config: CloudApiConfig,
  ) {
    this.retentionMs = parseDuration(config.auditRetention, 'audit-retention');
  }

  /** Continue from the current end of the change log (after it was replaced by a restore). */
  resync(): void {
    this.lastSeq = this.changes.lastSeq();
  }

  onModuleInit(): void {
    this.changes.ensureTriggers();
    this.lastSeq = this.changes.lastSeq();
    this.ticker.onTick((now) => {
      this.poll();
      if (now - this.lastPurge >= PURGE_EVERY_MS) {
        this.changes.purgeBefore(now - this.retentionMs);
        this.lastPurge = now;
      }
    });
  }

  onModuleDestroy(): void {
    this.subscribers.forEach((s) => s.close());
    this.subscribers.clear();
  }

  get subscriberCount(): number {
    return this.subscribers.size;
  }

  /**
   * Replays the project's changes after `lastEventId` (when resuming), then streams new ones.
   * Synchronous, so no change falls between the replay and the subscription. Returns the unsubscribe.
   */
  subscribe(subscriber: Subscriber, lastEventId?: number): () => void {
    this.poll();
    if (lastEventId !== undefined) {
      for (const row of this.changes.ofProject(subscriber.projectId, lastEventId, this.lastSeq)) {
        subscriber.send(toEvent(row));
      }
    }
    this.subscribers.add(subscriber);
    return () => this.subscribers.delete(subscriber);
  }

  /** Dispatches changes committed since the last poll. */
  poll(): void {
    const last = this.changes.lastSeq();
    if (last <= this.lastSeq) {
      return;
    }
    this.changes.stampUndated(this.lastSeq, this.clock.now());
    if (this.subscribers.size === 0) {
      this.lastSeq = last;
      return;
    }
    for (;;) {
      const rows = this.changes.after(this.lastSeq, BATCH);
      for (const row of rows) {
        const event = toEvent(row);
        this.subscribers.forEach((s) => s.projectId === row.projectId && s.send(event));
        this.lastSeq = row.seq;
      }
      if (rows.length < BATCH) {
        return;
      }
    }
  }

  /** Express middleware: after each call, while anyone listens, fan out what it changed. */
  middleware() {
    return (_req: Request, res: Response, next: NextFunction) => {
      res.on('finish', () => {
        if (this.subscribers.size > 0) {
          this.poll();
        }
      });
      next();
    };
  }
}

function toEvent(row: ResourceChangeRow): ResourceChangeEventDto {
  const event: ResourceChangeEventDto = {
    seq: row.seq,
    change: row.change,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    name: row.name,
    projectId: row.projectId,
    at: new Date(row.at ?? 0).toISOString(),
  };
  if (row.oldState !== null) {
    event.oldState = row.oldState;
  }
  if (row.newState !== null) {
    event.newState = row.newState;
  }
  return event;
}
