import type { OperationDto, ProblemDto } from '@app/cloud-contracts';
import type { OperationRow } from './operations.repository';

export function toOperationDto(row: OperationRow): OperationDto {
  const dto: OperationDto = {
    id: row.id,
    kind: row.kind,
    target: { type: row.targetType, id: row.targetId, name: row.targetName },
    status: row.status,
    createdAt: new Date(row.createdAt).toISOString(),
  };
  if (row.doneAt !== null) {
    dto.doneAt = new Date(row.doneAt).toISOString();
  }
  if (row.error) {
    dto.error = JSON.parse(row.error) as ProblemDto;
  }
  return dto;
}
