import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsISO8601,
  IsNumber,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateNested,
} from 'class-validator';
import { IsLabels } from './validation/labels';

export const FAULT_EFFECT_TYPES = [
  'error',
  'latency',
  'hang',
  'resetConnection',
  'commitThenFail',
  'stuckOperation',
  'failedOperation',
] as const;
export type FaultEffectType = (typeof FAULT_EFFECT_TYPES)[number];

export const LATENCY_DISTRIBUTIONS = ['fixed', 'uniform', 'normal'] as const;
export type LatencyDistribution = (typeof LATENCY_DISTRIBUTIONS)[number];

export const FAULT_HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

const MAX_LATENCY_MS = 600_000;

/** Which calls a rule applies to: every given field must match (AND); globs use `*` and `?`. */
export class FaultMatchDto {
  @ApiPropertyOptional({
    description: 'Operation name or glob, e.g. `instances.create`, `loadBalancers.*`.',
    example: 'instances.create',
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(127)
  operation?: string;

  @ApiPropertyOptional({ enum: FAULT_HTTP_METHODS, example: 'POST' })
  @IsOptional()
  @IsIn(FAULT_HTTP_METHODS)
  method?: string;

  @ApiPropertyOptional({
    description: 'instance, volume, network, route, loadBalancer, operation, …',
    example: 'instance',
  })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  resourceType?: string;

  @ApiPropertyOptional({ description: 'Resource id or glob (from the path).', example: 'i-0a1b*' })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  resourceId?: string;

  @ApiPropertyOptional({
    description: 'Resource name or glob: the stored resource, or the `name` of a create request.',
    example: 'web-*',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  resourceName?: string;

  @ApiPropertyOptional({
    description:
      'Labels the resource must carry (the stored resource, or the `labels` of a create request).',
    example: { 'kubernetes.io/cluster': 'ci' },
  })
  @IsOptional()
  @IsObject()
  @IsLabels()
  labels?: Record<string, string>;

  @ApiPropertyOptional({ description: 'Project of the calling token.', example: 'default' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  project?: string;

  @ApiPropertyOptional({ description: 'Name of the calling token.', example: 'ccm' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  tokenName?: string;
}

/**
 * When a matching call is faulted. At most one of probability, nthCall and firstCalls; none means
 * every matching call. `from`/`until` limit the rule to a window of clock time.
 */
export class FaultTriggerDto {
  @ApiPropertyOptional({ minimum: 0, maximum: 1, example: 0.3 })
  @IsOptional()
  @IsNumber()
  @Min(0)
  @Max(1)
  probability?: number;

  @ApiPropertyOptional({
    description:
      'Seed of the probability and latency draws (default: the rule id): the same seed gives the same sequence of faulted calls.',
    example: '42',
  })
  @IsOptional()
  @IsString()
  @MaxLength(128)
  seed?: string;

  @ApiPropertyOptional({
    description: 'Fault only the nth matching call (1 = the first).',
    example: 3,
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  nthCall?: number;

  @ApiPropertyOptional({ description: 'Fault the first N matching calls.', example: 2 })
  @IsOptional()
  @IsInt()
  @Min(1)
  firstCalls?: number;

  @ApiPropertyOptional({
    description: 'Active from this clock time.',
    example: '2026-11-26T20:00:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    description: 'Active before this clock time.',
    example: '2026-11-26T20:05:00Z',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  until?: string;
}

/** What happens to a faulted call. Fields apply to the effect types named in their descriptions. */
export class FaultEffectDto {
  @ApiProperty({ enum: FAULT_EFFECT_TYPES, example: 'error' })
  @IsIn(FAULT_EFFECT_TYPES)
  type: FaultEffectType;

  @ApiPropertyOptional({
    description: 'error (400-599, default 503), commitThenFail (500-599, default 503).',
    example: 503,
  })
  @IsOptional()
  @IsInt()
  @Min(400)
  @Max(599)
  status?: number;

  @ApiPropertyOptional({
    description:
      'error, commitThenFail, failedOperation: the problem `code` (default from the status: UNAVAILABLE, INTERNAL, …).',
    example: 'UNAVAILABLE',
  })
  @IsOptional()
  @Matches(/^[A-Z][A-Z0-9_]{0,62}$/, { message: 'must be an upper-case code such as UNAVAILABLE' })
  code?: string;

  @ApiPropertyOptional({
    description: 'error, commitThenFail, failedOperation.',
    example: 'injected outage',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  message?: string;

  @ApiPropertyOptional({ description: 'error, commitThenFail: sends Retry-After.', example: 2 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(86_400)
  retryAfterSeconds?: number;

  @ApiPropertyOptional({ enum: LATENCY_DISTRIBUTIONS, description: 'latency', example: 'uniform' })
  @IsOptional()
  @IsIn(LATENCY_DISTRIBUTIONS)
  distribution?: LatencyDistribution;

  @ApiPropertyOptional({ description: 'latency (fixed): added milliseconds.', example: 200 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_LATENCY_MS)
  ms?: number;

  @ApiPropertyOptional({ description: 'latency (uniform).', example: 100 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_LATENCY_MS)
  minMs?: number;

  @ApiPropertyOptional({ description: 'latency (uniform).', example: 500 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_LATENCY_MS)
  maxMs?: number;

  @ApiPropertyOptional({ description: 'latency (normal), clamped at 0.', example: 300 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_LATENCY_MS)
  meanMs?: number;

  @ApiPropertyOptional({ description: 'latency (normal).', example: 50 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(MAX_LATENCY_MS)
  stddevMs?: number;
}

export class CreateFaultRuleRequest {
  @ApiPropertyOptional({ example: 'CreateRoute fails once after committing' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  description?: string;

  @ApiPropertyOptional({ type: FaultMatchDto, description: 'Omitted: every call.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => FaultMatchDto)
  match?: FaultMatchDto;

  @ApiPropertyOptional({ type: FaultTriggerDto, description: 'Omitted: every matching call.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => FaultTriggerDto)
  trigger?: FaultTriggerDto;

  @ApiProperty({ type: FaultEffectDto })
  @IsDefined() // ValidateNested alone lets an absent object through
  @ValidateNested()
  @Type(() => FaultEffectDto)
  effect: FaultEffectDto;
}

export class FaultRuleDto {
  @ApiProperty({ example: 'fault-0a1b2c3d4e5f6071' })
  id: string;

  @ApiPropertyOptional({ example: 'CreateRoute fails once after committing' })
  description?: string;

  @ApiProperty({ type: FaultMatchDto })
  match: FaultMatchDto;

  @ApiProperty({ type: FaultTriggerDto })
  trigger: FaultTriggerDto;

  @ApiProperty({ type: FaultEffectDto })
  effect: FaultEffectDto;

  @ApiProperty({ example: 4, description: 'Calls that matched (inside the window).' })
  matchedCalls: number;

  @ApiProperty({ example: 1, description: 'Calls the rule faulted.' })
  hits: number;

  @ApiProperty({ example: '2026-11-26T20:00:00.000Z' })
  createdAt: string;

  @ApiPropertyOptional({
    example: '2026-11-26T20:00:03.000Z',
    description: 'Clock time of the last hit.',
  })
  lastHitAt?: string;
}

export class FaultRuleListDto {
  @ApiProperty({ type: [FaultRuleDto] })
  items: FaultRuleDto[];
}
