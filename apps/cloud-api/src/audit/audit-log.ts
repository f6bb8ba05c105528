import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Clock, parseDuration } from '@app/common';
import { CloudApiConfig } from '@app/config';
import type { Response } from 'express';
import { requestIdOf, type NimbusRequest } from '../conventions/request-context';
import { MaintenanceTicker } from '../maintenance.ticker';
import { AuditRepository, type NewAuditRow } from './audit.repository';

const FLUSH_AT = 500;
const PURGE_EVERY_MS = 60_000;

/**
 * The audit log. Calls are buffered in memory and written in one transaction per maintenance
 * tick (1 s), before every audit query, when the buffer fills, and at shutdown, so the hot path
 * costs no write. Rows older than `--audit-retention` of clock time are purged every minute.
 */
@Injectable()
export class AuditLog implements OnModuleInit, OnModuleDestroy {
  private buffer: NewAuditRow[] = [];
  private readonly retentionMs: number;
  private lastPurge = Number.NEGATIVE_INFINITY;
  private closed = false;

  constructor(
    private readonly audit: AuditRepository,
    private readonly ticker: MaintenanceTicker,
    private readonly clock: Clock,
    config: CloudApiConfig,
  ) {
    this.retentionMs = parseDuration(config.auditRetention, 'audit-retention');
  }

  onModuleInit(): void {
    this.ticker.onTick((now) => {
      this.flush();
      if (now - this.lastPurge >= PURGE_EVERY_MS) {
        this.purge(now);
      }
    });
  }

  onModuleDestroy(): void {
    this.flush();
    this.closed = true;
  }

  /** Records a finished (or abandoned) call from what the request collected on the way. */
  record(req: NimbusRequest, res: Response): void {
    const call = req.call;
    if (!call || this.closed) {
      return;
    }
    const principal = req.nimbus?.principal;
    this.buffer.push({
      at: call.at,
      projectId: principal?.projectId ?? null,
      tokenName: principal?.tokenName ?? null,
      operation: call.operation?.name ?? null,
      resourceType: call.operation?.resourceType ?? null,
      resourceId: call.resourceId ?? req.nimbus?.resourceId ?? null,
      method: req.method,
      path: req.originalUrl.split('?')[0].slice(0, 2048),
      status: res.headersSent ? res.statusCode : 0,
      latencyMs: Number(process.hrtime.bigint() - call.started) / 1e6,
      requestId: requestIdOf(req),
      idempotencyKey: req.nimbus?.idempotencyKey ?? null,
      faultRuleId: call.faultRuleId ?? null,
      outOfBand: call.operation?.outOfBand ? 1 : 0,
    });
    if (this.buffer.length >= FLUSH_AT) {
      this.flush();
    }
  }

  flush(): void {
    if (this.buffer.length === 0 || this.closed) {
      return;
    }
    const rows = this.buffer;
    this.buffer = [];
    this.audit.insertMany(rows);
  }

  purge(now: number): void {
    this.flush();
    this.audit.purgeBefore(now - this.retentionMs);
    this.lastPurge = now;
  }

  /** Express middleware: starts the call record and writes it when the response ends or the client leaves. */
  middleware() {
    return (req: NimbusRequest, res: Response, next: () => void) => {
      req.call = { at: this.clock.now(), started: process.hrtime.bigint() };
      let done = false;
      const finish = () => {
        if (!done) {
          done = true;
          this.record(req, res);
        }
      };
      res.on('finish', finish);
      res.on('close', finish);
      next();
    };
  }
}
