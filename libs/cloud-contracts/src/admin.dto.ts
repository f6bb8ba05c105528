import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  Allow,
  IsBoolean,
  IsInt,
  IsNumber,
  IsOptional,
  IsPositive,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsResourceName } from './validation/names';

/** The fake clock every transition, operation, idempotency key, retention and bucket follows. */
export class ClockDto {
  @ApiProperty({ example: '2026-11-26T20:00:00.000Z', description: 'The fake clock now.' })
  now: string;

  @ApiProperty({ example: true, description: 'A frozen clock only moves when told to.' })
  frozen: boolean;
}

/** Applied in this order: freeze, set, advance, unfreeze. */
export class ChangeClockRequest {
  @ApiPropertyOptional({ example: true, description: 'true freezes the clock, false lets it run.' })
  @IsOptional()
  @IsBoolean()
  frozen?: boolean;

  @ApiPropertyOptional({
    oneOf: [{ type: 'string' }, { type: 'number' }],
    example: '30s',
    description: 'Moves the clock forward: milliseconds, or text such as 500ms, 30s, 5m, 1h30m.',
  })
  @IsOptional()
  @Allow()
  advance?: string | number;

  @ApiPropertyOptional({
    example: '2026-11-26T21:00:00.000Z',
    description:
      'Sets the clock to an ISO 8601 instant. Moving backwards is allowed: nothing is undone, pending transitions just end later.',
  })
  @IsOptional()
  @IsString()
  set?: string;
}

export class TransitionsDto {
  @ApiProperty({
    example: { 'instance.pending': 1500, 'loadBalancer.provisioning': 30000 },
    description:
      'Effective duration (ms) of every transition: defaults, --transition-ms, overrides.',
  })
  durationsMs: Record<string, number>;

  @ApiProperty({
    example: { 'loadBalancer.provisioning': 30000 },
    description: 'The runtime overrides set through PUT /admin/transitions.',
  })
  overridesMs: Record<string, number>;
}

export class ConsistencyDto {
  @ApiProperty({
    example: { instance: 2000, volume: 0, network: 0, route: 0, loadBalancer: 0 },
    description:
      'Per resource type, how long (ms) a new resource answers 404 to GET and is missing from lists (0 = at once).',
  })
  delaysMs: Record<string, number>;
}

export class RateLimitBucketDto {
  @ApiProperty({ example: 100, description: 'Bucket size: the burst allowed after a quiet time.' })
  @IsInt()
  @Min(1)
  @Max(1_000_000_000)
  capacity: number;

  @ApiProperty({ example: 20, description: 'Tokens added per second of (fake) clock time.' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @IsPositive()
  @Max(1_000_000_000)
  refillPerSecond: number;
}

export class RateLimitsDto {
  @ApiProperty({
    example: true,
    description: 'false: nothing is throttled and no RateLimit-* headers are sent.',
  })
  enabled: boolean;

  @ApiProperty({ type: RateLimitBucketDto, description: 'GET and HEAD calls.' })
  reads: RateLimitBucketDto;

  @ApiProperty({
    type: RateLimitBucketDto,
    description: 'Every other call, except instance creation.',
  })
  mutations: RateLimitBucketDto;

  @ApiProperty({ type: RateLimitBucketDto, description: 'POST /v1/instances.' })
  instanceCreates: RateLimitBucketDto;
}

/** Changes some classes; the others keep their limits. Every bucket starts full again. */
export class SetRateLimitsRequest {
  @ApiPropertyOptional({ example: true })
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;

  @ApiPropertyOptional({
    type: RateLimitBucketDto,
    example: { capacity: 100, refillPerSecond: 20 },
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitBucketDto)
  reads?: RateLimitBucketDto;

  @ApiPropertyOptional({ type: RateLimitBucketDto, example: { capacity: 5, refillPerSecond: 1 } })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitBucketDto)
  mutations?: RateLimitBucketDto;

  @ApiPropertyOptional({ type: RateLimitBucketDto, example: { capacity: 10, refillPerSecond: 2 } })
  @IsOptional()
  @ValidateNested()
  @Type(() => RateLimitBucketDto)
  instanceCreates?: RateLimitBucketDto;
}

export class ResetRequest {
  @ApiPropertyOptional({
    example: 'team-a',
    description: 'Wipe only this project; without it, every project is wiped.',
  })
  @IsOptional()
  @IsResourceName()
  project?: string;

  @ApiPropertyOptional({
    example: false,
    description:
      'Also delete every project but `default` and every token but the bootstrap `default` and `admin` tokens, and their quota limits (whole reset only).',
  })
  @IsOptional()
  @IsBoolean()
  projects?: boolean;

  @ApiPropertyOptional({
    example: false,
    description:
      'Also drop the runtime settings (transition durations, consistency delays, rate limits, seed) back to the configuration (whole reset only). The clock is never touched.',
  })
  @IsOptional()
  @IsBoolean()
  settings?: boolean;
}

export class ResetResultDto {
  @ApiPropertyOptional({ example: 'team-a', description: 'Absent for a whole reset.' })
  project?: string;

  @ApiProperty({
    example: { instances: 3, volumes: 1, operations: 7 },
    description: 'Rows deleted per table (tables with none are left out).',
  })
  deleted: Record<string, number>;

  @ApiPropertyOptional({
    example: 'ci-42',
    description: 'The seed the ID sequence restarted from (whole reset with a seed only).',
  })
  seed?: string;
}

export class SeedRequest {
  @ApiProperty({ example: 'ci-42', description: 'Seed of the deterministic ID sequence.' })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  seed: string;
}

export class SeedDto {
  @ApiProperty({ example: 'ci-42', nullable: true, description: 'null: IDs are random.' })
  seed: string | null;
}

export class SnapshotRestoreDto {
  @ApiProperty({
    example: '2026-11-26T20:00:00.000Z',
    description: 'Fake-clock time of the snapshot.',
  })
  takenAt: string;

  @ApiProperty({
    example: ['Init1795724898776', 'Quotas1795725232007'],
    description: 'The migrations the snapshot (and this server) has applied.',
  })
  schemaVersion: string[];
}
