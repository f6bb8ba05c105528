import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsIP,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import { LoadBalancerDataPlaneDto } from './load-balancer-data-plane.dto';
import { LabelledPageQueryDto } from './list.dto';
import { OperationDto } from './operation.dto';
import { IsLabels } from './validation/labels';
import { IsResourceName } from './validation/names';

/** `error`: a failed operation left it broken (failedOperation fault); an update or delete recovers. */
export const LOAD_BALANCER_STATES = [
  'provisioning',
  'active',
  'updating',
  'deleting',
  'error',
] as const;
export type LoadBalancerState = (typeof LOAD_BALANCER_STATES)[number];
export const LISTENER_PROTOCOLS = ['TCP', 'UDP'] as const;
export const HEALTH_CHECK_PROTOCOLS = ['TCP', 'HTTP'] as const;
export const LB_ALGORITHMS = ['round_robin', 'least_connections', 'source_ip_hash'] as const;
export const SESSION_AFFINITY_TYPES = ['none', 'client_ip'] as const;
export const IP_FAMILIES = ['IPv4', 'IPv6'] as const;
export type IpFamilyName = (typeof IP_FAMILIES)[number];
export const BACKEND_HEALTH = ['unknown', 'healthy', 'unhealthy'] as const;

export const MAX_LISTENERS = 50;
export const MAX_BACKENDS = 1000;
export const MAX_SOURCE_RANGES = 100;

const LABELS_EXAMPLE = { 'kubernetes.io/service-name': 'shop-web', cluster: 'demo' };

export class ListenerDto {
  @ApiProperty({ enum: LISTENER_PROTOCOLS, example: 'TCP' })
  @IsIn(LISTENER_PROTOCOLS)
  protocol: (typeof LISTENER_PROTOCOLS)[number];

  @ApiProperty({ example: 80, minimum: 1, maximum: 65535, description: 'Public port.' })
  @IsInt()
  @Min(1)
  @Max(65535)
  port: number;

  @ApiProperty({
    example: 30080,
    minimum: 1,
    maximum: 65535,
    description: 'Port on each backend (a node port, for Kubernetes).',
  })
  @IsInt()
  @Min(1)
  @Max(65535)
  targetPort: number;
}

export class BackendRequest {
  @ApiProperty({ example: 'i-0a1b2c3d4e5f60718' })
  @IsString()
  @MaxLength(64)
  instanceId: string;
}

export class HealthCheckRequest {
  @ApiPropertyOptional({ enum: HEALTH_CHECK_PROTOCOLS, example: 'HTTP', default: 'TCP' })
  @IsOptional()
  @IsIn(HEALTH_CHECK_PROTOCOLS)
  protocol?: (typeof HEALTH_CHECK_PROTOCOLS)[number];

  @ApiPropertyOptional({
    example: 10256,
    minimum: 1,
    maximum: 65535,
    description: "Default: the first listener's targetPort.",
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  port?: number;

  @ApiPropertyOptional({
    example: '/healthz',
    description: 'HTTP only; starts with "/". Default /healthz.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(1024)
  @Matches(/^\/[\x21-\x7e]*$/, { message: '$property must start with "/" (printable ASCII)' })
  path?: string;

  @ApiPropertyOptional({ example: 10, minimum: 1, maximum: 300, default: 10 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(300)
  intervalSeconds?: number;

  @ApiPropertyOptional({ example: 2, minimum: 1, maximum: 10, default: 2 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  healthyThreshold?: number;

  @ApiPropertyOptional({ example: 3, minimum: 1, maximum: 10, default: 3 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(10)
  unhealthyThreshold?: number;
}

export class SessionAffinityRequest {
  @ApiProperty({ enum: SESSION_AFFINITY_TYPES, example: 'client_ip' })
  @IsIn(SESSION_AFFINITY_TYPES)
  type: (typeof SESSION_AFFINITY_TYPES)[number];

  @ApiPropertyOptional({
    example: 10800,
    minimum: 1,
    maximum: 86400,
    description: 'client_ip only; default 10800 (the Kubernetes default).',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(86400)
  timeoutSeconds?: number;
}

/** The part of a load balancer that PUT replaces. */
export class LoadBalancerSpecRequest {
  @ApiProperty({
    type: [ListenerDto],
    description: `1 to ${MAX_LISTENERS}; protocol + port unique.`,
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_LISTENERS)
  @ValidateNested({ each: true })
  @Type(() => ListenerDto)
  listeners: ListenerDto[];

  @ApiPropertyOptional({
    type: [BackendRequest],
    description: `Instances of the project in the load balancer's region; at most ${MAX_BACKENDS}.`,
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_BACKENDS)
  @ValidateNested({ each: true })
  @Type(() => BackendRequest)
  backends?: BackendRequest[];

  @ApiPropertyOptional({ type: HealthCheckRequest })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => HealthCheckRequest)
  healthCheck?: HealthCheckRequest;

  @ApiPropertyOptional({ enum: LB_ALGORITHMS, example: 'round_robin', default: 'round_robin' })
  @IsOptional()
  @IsIn(LB_ALGORITHMS)
  algorithm?: (typeof LB_ALGORITHMS)[number];

  @ApiPropertyOptional({ type: SessionAffinityRequest })
  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => SessionAffinityRequest)
  sessionAffinity?: SessionAffinityRequest;

  @ApiPropertyOptional({
    example: ['0.0.0.0/0', '2001:db8::/32'],
    description:
      'Client CIDRs (IPv4/IPv6); host bits are cleared. Default: everything of the chosen families.',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(MAX_SOURCE_RANGES)
  @IsString({ each: true })
  @MaxLength(43, { each: true })
  allowedSourceRanges?: string[];
}

export class CreateLoadBalancerRequest extends LoadBalancerSpecRequest {
  @ApiProperty({
    example: 'a7f3c2a1e0b9d4c5f6a7b8c9d0e1f2a3',
    description: 'Unique in the project, so a controller finds its load balancer by name.',
  })
  @IsResourceName()
  name: string;

  @ApiPropertyOptional({
    example: 'nimbus-1',
    description: 'See GET /v1/regions; may be omitted when the cloud has only one region.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  region?: string;

  @ApiPropertyOptional({
    example: '203.0.113.10',
    description:
      'A specific public IP from the pool (Service loadBalancerIP); must be free, else FAILED_PRECONDITION.',
  })
  @IsOptional()
  @IsIP()
  requestedIp?: string;

  @ApiPropertyOptional({
    enum: IP_FAMILIES,
    isArray: true,
    example: ['IPv4', 'IPv6'],
    description: 'One public IP per family; default ["IPv4"].',
  })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(2)
  @ArrayUnique()
  @IsIn(IP_FAMILIES, { each: true })
  ipFamilies?: IpFamilyName[];

  @ApiPropertyOptional({ example: LABELS_EXAMPLE })
  @IsOptional()
  @IsObject()
  @IsLabels()
  labels?: Record<string, string>;
}

export class UpdateLoadBalancerRequest extends LoadBalancerSpecRequest {}

export class BackendsChangeRequest {
  @ApiProperty({ example: ['i-0a1b2c3d4e5f60718'], description: `1 to ${MAX_BACKENDS} ids.` })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_BACKENDS)
  @ArrayUnique()
  @IsString({ each: true })
  @MaxLength(64, { each: true })
  instanceIds: string[];
}

export class ListLoadBalancersQuery extends LabelledPageQueryDto {
  @ApiPropertyOptional({ example: 'a7f3c2a1e0b9d4c5f6a7b8c9d0e1f2a3', description: 'Exact name.' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  name?: string;

  @ApiPropertyOptional({ example: 'nimbus-1' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  region?: string;

  @ApiPropertyOptional({ enum: LOAD_BALANCER_STATES, example: 'active' })
  @IsOptional()
  @IsIn(LOAD_BALANCER_STATES)
  state?: LoadBalancerState;
}

export class HealthCheckDto {
  @ApiProperty({ enum: HEALTH_CHECK_PROTOCOLS, example: 'HTTP' })
  protocol: (typeof HEALTH_CHECK_PROTOCOLS)[number];

  @ApiProperty({ example: 10256 })
  port: number;

  @ApiPropertyOptional({ example: '/healthz', description: 'HTTP only.' })
  path?: string;

  @ApiProperty({ example: 10 })
  intervalSeconds: number;

  @ApiProperty({ example: 2 })
  healthyThreshold: number;

  @ApiProperty({ example: 3 })
  unhealthyThreshold: number;
}

export class SessionAffinityDto {
  @ApiProperty({ enum: SESSION_AFFINITY_TYPES, example: 'client_ip' })
  type: (typeof SESSION_AFFINITY_TYPES)[number];

  @ApiPropertyOptional({ example: 10800, description: 'client_ip only.' })
  timeoutSeconds?: number;
}

export class BackendEndpointDto {
  @ApiProperty({ enum: LISTENER_PROTOCOLS, example: 'TCP' })
  protocol: string;

  @ApiProperty({ example: 80, description: 'The listener port this endpoint serves.' })
  listenerPort: number;

  @ApiProperty({ example: '10.0.0.4', description: "The instance's private IP." })
  ip: string;

  @ApiProperty({ example: 30080, description: "The listener's targetPort." })
  port: number;
}

export class BackendDto {
  @ApiProperty({ example: 'i-0a1b2c3d4e5f60718' })
  instanceId: string;

  @ApiProperty({ example: '10.0.0.4' })
  ip: string;

  @ApiProperty({
    enum: BACKEND_HEALTH,
    example: 'healthy',
    description:
      'From the health check: `unknown` until the load balancer is active and its first check answered.',
  })
  health: (typeof BACKEND_HEALTH)[number];

  @ApiPropertyOptional({
    example: '2026-11-26T20:00:03.000Z',
    description: 'When `health` last changed (cloud clock).',
  })
  healthChangedAt?: string;

  @ApiPropertyOptional({
    example: 'connect ECONNREFUSED 127.10.0.4:30080',
    description: "The last check's outcome.",
  })
  healthDetail?: string;

  @ApiProperty({ type: [BackendEndpointDto] })
  endpoints: BackendEndpointDto[];
}

export class PublicIpDto {
  @ApiProperty({ enum: IP_FAMILIES, example: 'IPv4' })
  ipFamily: IpFamilyName;

  @ApiProperty({ example: '203.0.113.10' })
  ip: string;
}

export class LoadBalancerDto {
  @ApiProperty({ example: 'lb-0a1b2c3d4e5f60718' })
  id: string;

  @ApiProperty({ example: 'a7f3c2a1e0b9d4c5f6a7b8c9d0e1f2a3' })
  name: string;

  @ApiProperty({ example: 'default' })
  projectId: string;

  @ApiProperty({ example: 'nimbus-1' })
  region: string;

  @ApiProperty({ enum: LOAD_BALANCER_STATES, example: 'active' })
  state: LoadBalancerState;

  @ApiProperty({
    type: [PublicIpDto],
    description: 'One per IP family (Service status.loadBalancer.ingress).',
  })
  publicIps: PublicIpDto[];

  @ApiProperty({ enum: IP_FAMILIES, isArray: true, example: ['IPv4'] })
  ipFamilies: IpFamilyName[];

  @ApiProperty({ type: [ListenerDto] })
  listeners: ListenerDto[];

  @ApiProperty({ type: [BackendDto] })
  backends: BackendDto[];

  @ApiProperty({ type: HealthCheckDto })
  healthCheck: HealthCheckDto;

  @ApiProperty({ enum: LB_ALGORITHMS, example: 'round_robin' })
  algorithm: (typeof LB_ALGORITHMS)[number];

  @ApiProperty({ type: SessionAffinityDto })
  sessionAffinity: SessionAffinityDto;

  @ApiProperty({ example: ['0.0.0.0/0'] })
  allowedSourceRanges: string[];

  @ApiProperty({ example: LABELS_EXAMPLE })
  labels: Record<string, string>;

  @ApiProperty({
    type: LoadBalancerDataPlaneDto,
    description:
      'Where the load balancer answers on this machine (host address and ports), and whether it serves. Not part of the etag.',
  })
  dataPlane: LoadBalancerDataPlaneDto;

  @ApiProperty({ example: '2026-11-26T20:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-26T20:00:01.500Z' })
  updatedAt: string;

  @ApiProperty({ example: 'a41f09c2d3e4b5f6', description: 'Also sent as the ETag header.' })
  etag: string;
}

export class LoadBalancerListDto {
  @ApiProperty({ type: [LoadBalancerDto] })
  items: LoadBalancerDto[];

  @ApiPropertyOptional({
    description: 'Pass as pageToken to get the next page; absent on the last page.',
  })
  nextPageToken?: string;
}

export class LoadBalancerOperationDto {
  @ApiProperty({ type: LoadBalancerDto })
  loadBalancer: LoadBalancerDto;

  @ApiProperty({ type: OperationDto })
  operation: OperationDto;
}
