import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class FieldViolationDto {
  @ApiProperty({ example: 'zone' })
  field: string;

  @ApiProperty({ example: 'unknown zone "mars-1a"; see GET /v1/zones' })
  description: string;
}

/** RFC 9457 problem details, with Nimbus extensions. */
export class ProblemDto {
  @ApiProperty({ example: 'https://nimbus.dev/problems/invalid-argument' })
  type: string;

  @ApiProperty({ example: 'Invalid argument' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiProperty({ example: 'zone: unknown zone "mars-1a"; see GET /v1/zones' })
  detail: string;

  @ApiProperty({ example: '/v1/instances' })
  instance: string;

  @ApiProperty({
    example: 'INVALID_ARGUMENT',
    description:
      'Stable error code: INVALID_ARGUMENT, FAILED_PRECONDITION, NOT_FOUND, ALREADY_EXISTS, CONFLICT, IDEMPOTENCY_KEY_REUSED, PRECONDITION_FAILED, QUOTA_EXCEEDED, RATE_LIMITED, UNAUTHENTICATED, PERMISSION_DENIED, UNAVAILABLE, INTERNAL',
  })
  code: string;

  @ApiProperty({ example: false, description: 'Whether retrying the same request may succeed.' })
  retryable: boolean;

  @ApiProperty({ example: 'req-5f1c2a9e0b7d4c3a' })
  requestId: string;

  @ApiPropertyOptional({ type: [FieldViolationDto] })
  fieldViolations?: FieldViolationDto[];

  @ApiPropertyOptional({ example: { quotaMetric: 'instances', limit: 20, usage: 20 } })
  metadata?: Record<string, string | number | boolean>;

  @ApiPropertyOptional({ example: 2 })
  retryAfterSeconds?: number;

  @ApiPropertyOptional({
    example: 'fault-0a1b2c3d4e5f6071',
    description: 'Set when an admin fault rule produced this answer (GET /admin/faults/{id}).',
  })
  injectedFaultId?: string;
}
