import type { AuditEntryDto } from '@app/cloud-contracts';
import type { AuditRow } from './audit.repository';

export function toAuditEntryDto(row: AuditRow): AuditEntryDto {
  const dto: AuditEntryDto = {
    seq: row.seq,
    at: new Date(row.at).toISOString(),
    method: row.method,
    path: row.path,
    status: row.status,
    latencyMs: Math.round(row.latencyMs * 100) / 100,
    requestId: row.requestId,
    outOfBand: row.outOfBand === 1,
  };
  const optional = {
    projectId: row.projectId,
    tokenName: row.tokenName,
    operation: row.operation,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    idempotencyKey: row.idempotencyKey,
    faultRuleId: row.faultRuleId,
  };
  for (const [key, value] of Object.entries(optional)) {
    if (value !== null) {
      (dto as unknown as Record<string, string>)[key] = value;
    }
  }
  return dto;
}
