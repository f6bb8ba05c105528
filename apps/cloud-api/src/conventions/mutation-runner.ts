import { Injectable } from '@nestjs/common';
import { Clock, DomainError } from '@app/common';
import { SqliteDatabase } from '@app/persistence';
import { createHash } from 'node:crypto';
import type { Response } from 'express';
import { etagHeader } from './etag';
import { IdempotencyRepository } from './idempotency/idempotency.repository';
import type { RequestContext } from './request-context';

export const IDEMPOTENCY_TTL_MS = 24 * 3_600_000;

/** What a mutation hands back: the HTTP status, the response body and the headers to send. */
export interface MutationResult<T> {
  status: number;
  body: T;
  etag?: string;
  location?: string;
  /** What a replay answers, when it must differ from `body` (e.g. a secret shown only once). */
  replayBody?: T;
}

/**
 * Runs every mutation of the API the same way: one synchronous SQLite transaction holding the
 * change *and* its Idempotency-Key record, so a replay either sees the committed response or
 * nothing happened. Same key + same request → the stored response; same key + different
 * request → 409 IDEMPOTENCY_KEY_REUSED. Only successful responses are stored: a failed request
 * changed nothing, so retrying it is safe. After the commit, `ctx.afterCommit` (fault injection)
 * may still turn the answer into an error: the change and its key stay (commit-then-fail).
 */
@Injectable()
export class MutationRunner {
  constructor(
    private readonly db: SqliteDatabase,
    private readonly keys: IdempotencyRepository,
    private readonly clock: Clock,
  ) {}

  run<T>(ctx: RequestContext, body: unknown, res: Response, mutate: () => MutationResult<T>): T {
    const key = ctx.idempotencyKey;
    const fingerprint = key ? fingerprintOf(ctx, body) : '';
    const outcome = this.db.transaction(() => {
      const now = this.clock.now();
      if (key) {
        const prior = this.keys.find(ctx.principal.projectId, key, now);
        if (prior) {
          if (prior.fingerprint !== fingerprint) {
            throw new DomainError(
              'IDEMPOTENCY_KEY_REUSED',
              `Idempotency-Key "${key}" was used with a different request; use a new key for a new request`,
            );
          }
          return { replayed: true as const, prior };
        }
      }
      const result = mutate();
      if (key) {
        this.keys.save(
          ctx.principal.projectId,
          key,
          {
            fingerprint,
            statusCode: result.status,
            responseBody: JSON.stringify(result.replayBody ?? result.body),
            responseHeaders: JSON.stringify(headersOf(result)),
          },
          now,
          now + IDEMPOTENCY_TTL_MS,
        );
      }
      return { replayed: false as const, result };
    });

    if (outcome.replayed) {
      res.status(outcome.prior.statusCode);
      for (const [name, value] of Object.entries(
        JSON.parse(outcome.prior.responseHeaders) as Record<string, string>,
      )) {
        res.setHeader(name, value);
      }
      res.setHeader('Idempotent-Replayed', 'true');
      return committed(ctx, JSON.parse(outcome.prior.responseBody) as T);
    }
    res.status(outcome.result.status);
    for (const [name, value] of Object.entries(headersOf(outcome.result))) {
      res.setHeader(name, value);
    }
    return committed(ctx, outcome.result.body);
  }
}

/** Notes the resource for the audit log and runs the after-commit hook (faults), if any. */
function committed<T>(ctx: RequestContext, body: T): T {
  const b = body as { id?: unknown; operation?: { target?: { id?: unknown } } } | undefined;
  const id = b?.operation?.target?.id ?? b?.id;
  ctx.resourceId = typeof id === 'string' ? id : undefined;
  ctx.afterCommit?.(body);
  return body;
}

function headersOf(result: MutationResult<unknown>): Record<string, string> {
  const headers: Record<string, string> = {};
  if (result.etag) {
    headers.ETag = etagHeader(result.etag);
  }
  if (result.location) {
    headers.Location = result.location;
  }
  return headers;
}

/** Method, path and a canonical (key-sorted) JSON of the validated body. */
function fingerprintOf(ctx: RequestContext, body: unknown): string {
  return createHash('sha256')
    .update(`${ctx.method} ${ctx.path}\n${canonicalJson(body)}`)
    .digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) {
    return `[${value.map(canonicalJson).join(',')}]`;
  }
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}
