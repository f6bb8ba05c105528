import type { OperationDto } from '@app/cloud-contracts';
import type { MutationResult } from '../conventions/mutation-runner';
import { toOperationDto } from './operation.mapper';
import type { OperationRow } from './operations.repository';

/**
 * What every resource mutation answers: `{ <resource>: dto, operation }`, 202 while the operation
 * runs and 200 once it is done, with the resource's ETag and a Location pointing at the operation.
 */
export function operationResult<K extends string, D>(
  key: K,
  dto: D,
  etag: string,
  operation: OperationRow,
): MutationResult<Record<K, D> & { operation: OperationDto }> {
  return {
    status: operation.status === 'running' ? 202 : 200,
    body: { [key]: dto, operation: toOperationDto(operation) } as Record<K, D> & {
      operation: OperationDto;
    },
    etag,
    location: `/v1/operations/${operation.id}`,
  };
}
