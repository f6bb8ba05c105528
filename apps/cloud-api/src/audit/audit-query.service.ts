import { Injectable } from '@nestjs/common';
import type { ListAuditQuery } from '@app/cloud-contracts';
import { PageTokenCodec } from '../conventions/page-token';
import { paginate, type Page } from '../conventions/paginate';
import { AuditLog } from './audit-log';
import { AuditRepository, type AuditFilter, type AuditRow } from './audit.repository';

/** GET /admin/audit: flushes the buffer, then pages through the log with the filters in SQL. */
@Injectable()
export class AuditQueryService {
  constructor(
    private readonly log: AuditLog,
    private readonly audit: AuditRepository,
    private readonly pageTokens: PageTokenCodec,
  ) {}

  list(query: ListAuditQuery): Page<AuditRow> {
    this.log.flush();
    const filter = filterOf(query);
    return paginate(this.pageTokens, { ...query }, (after, limit) =>
      this.audit.page(filter, after, limit),
    );
  }
}

function filterOf(query: ListAuditQuery): AuditFilter {
  const filter: AuditFilter = {
    projectId: query.project,
    operation: query.operation,
    resourceId: query.resourceId,
    faultRuleId: query.faultRuleId,
    since: query.since === undefined ? undefined : Date.parse(query.since),
    until: query.until === undefined ? undefined : Date.parse(query.until),
    outOfBand: query.outOfBand === undefined ? undefined : query.outOfBand === 'true' ? 1 : 0,
  };
  if (query.status !== undefined) {
    const cls = /^([1-5])xx$/.exec(query.status);
    filter.statusFrom = cls ? Number(cls[1]) * 100 : Number(query.status);
    filter.statusTo = cls ? Number(cls[1]) * 100 + 99 : Number(query.status);
  }
  return filter;
}
