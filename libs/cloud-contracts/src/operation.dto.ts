import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ProblemDto } from './problem.dto';

export const OPERATION_STATUSES = ['running', 'done', 'failed'] as const;
export type OperationStatus = (typeof OPERATION_STATUSES)[number];

export class OperationTargetDto {
  @ApiProperty({ example: 'instance' })
  type: string;

  @ApiProperty({ example: 'i-0a1b2c3d4e5f60718' })
  id: string;

  @ApiProperty({ example: 'web-1' })
  name: string;
}

/** An asynchronous operation started by a mutation. Poll GET /v1/operations/{id} until not running. */
export class OperationDto {
  @ApiProperty({ example: 'op-3f2a1b0c9d8e7f605' })
  id: string;

  @ApiProperty({ example: 'instances.create' })
  kind: string;

  @ApiProperty({ type: OperationTargetDto })
  target: OperationTargetDto;

  @ApiProperty({ enum: OPERATION_STATUSES, example: 'running' })
  status: OperationStatus;

  @ApiPropertyOptional({ type: ProblemDto, description: 'Set when status is failed.' })
  error?: ProblemDto;

  @ApiProperty({ example: '2026-11-26T20:00:00.000Z' })
  createdAt: string;

  @ApiPropertyOptional({ example: '2026-11-26T20:00:01.500Z' })
  doneAt?: string;
}
