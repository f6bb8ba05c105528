import type { FaultRuleDto } from '@app/cloud-contracts';
import type { FaultSpec } from './fault-spec';
import type { FaultRuleRow } from './faults.repository';

export function toFaultRuleDto(row: FaultRuleRow): FaultRuleDto {
  const spec = JSON.parse(row.spec) as FaultSpec;
  const dto: FaultRuleDto = {
    id: row.id,
    match: spec.match,
    trigger: spec.trigger,
    effect: spec.effect,
    matchedCalls: row.matchedCalls,
    hits: row.hits,
    createdAt: new Date(row.createdAt).toISOString(),
  };
  if (row.description !== null) {
    dto.description = row.description;
  }
  if (row.lastHitAt !== null) {
    dto.lastHitAt = new Date(row.lastHitAt).toISOString();
  }
  return dto;
}
