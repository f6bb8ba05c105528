import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from './list.dto';

/** Filters of GET /admin/audit (all optional, combined with AND). */
export class ListAuditQuery extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Project of the calling token.', example: 'default' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  project?: string;

  @ApiPropertyOptional({
    description: 'Operation name or glob (`*`, `?`), e.g. `instances.*`.',
    example: 'instances.*',
  })
  @IsOptional()
  @IsString()
  @MaxLength(127)
  operation?: string;

  @ApiPropertyOptional({ example: 'i-0a1b2c3d4e5f60718' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  resourceId?: string;

  @ApiPropertyOptional({
    description: 'An HTTP status (`503`) or a class (`5xx`); `0` = no response was sent.',
    example: '5xx',
  })
  @IsOptional()
  @Matches(/^(\d{1,3}|[1-5]xx)$/, {
    message: 'must be a status such as 503 or a class such as 5xx',
  })
  status?: string;

  @ApiPropertyOptional({
    description: 'Calls at or after this clock time.',
    example: '2026-11-26T20:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  since?: string;

  @ApiPropertyOptional({
    description: 'Calls before this clock time.',
    example: '2026-11-26T21:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;

  @ApiPropertyOptional({ example: 'fault-0a1b2c3d4e5f6071' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  faultRuleId?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], example: 'true' })
  @IsOptional()
  @IsIn(['true', 'false'])
  outOfBand?: string;
}

/** One recorded API call. */
export class AuditEntryDto {
  @ApiProperty({ example: 1042, description: 'Position in the log (creation order).' })
  seq: number;

  @ApiProperty({ example: '2026-11-26T20:00:00.000Z', description: 'Clock time of the call.' })
  at: string;

  @ApiPropertyOptional({ example: 'default' })
  projectId?: string;

  @ApiPropertyOptional({ example: 'ccm' })
  tokenName?: string;

  @ApiPropertyOptional({ example: 'instances.create' })
  operation?: string;

  @ApiPropertyOptional({ example: 'instance' })
  resourceType?: string;

  @ApiPropertyOptional({ example: 'i-0a1b2c3d4e5f60718' })
  resourceId?: string;

  @ApiProperty({ example: 'POST' })
  method: string;

  @ApiProperty({ example: '/v1/instances' })
  path: string;

  @ApiProperty({ example: 202, description: '0 when no response was sent (hang, reset).' })
  status: number;

  @ApiProperty({ example: 1.73, description: 'Real time spent serving the call, in ms.' })
  latencyMs: number;

  @ApiProperty({ example: 'req-5f1c2a9e0b7d4c3a' })
  requestId: string;

  @ApiPropertyOptional({ example: '3f0c1d9a-5d4e-4a6b-9d7e-2b1c0a9f8e7d' })
  idempotencyKey?: string;

  @ApiPropertyOptional({
    example: 'fault-0a1b2c3d4e5f6071',
    description: 'The fault rule that fired.',
  })
  faultRuleId?: string;

  @ApiProperty({ example: false, description: 'An out-of-band admin change.' })
  outOfBand: boolean;
}

export class AuditListDto {
  @ApiProperty({ type: [AuditEntryDto] })
  items: AuditEntryDto[];

  @ApiPropertyOptional({ example: 'eyJhZnRlciI6NTB9.c2ln' })
  nextPageToken?: string;
}
