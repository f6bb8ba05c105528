import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsNotEmptyObject,
  IsObject,
  IsOptional,
  IsString,
  MaxLength,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from './list.dto';
import { OperationDto } from './operation.dto';
import { IsResourceName } from './validation/names';

/** `error`: a failed operation left it broken (failedOperation fault); it can be deleted. */
export const ROUTE_STATES = ['creating', 'active', 'blackhole', 'error'] as const;
export type RouteState = (typeof ROUTE_STATES)[number];

export class RouteNextHopRequest {
  @ApiProperty({
    example: 'i-0a1b2c3d4e5f60718',
    description: 'An instance of the project (typically the node owning the pod CIDR).',
  })
  @IsString()
  @MaxLength(64)
  instanceId: string;
}

export class CreateRouteRequest {
  @ApiProperty({
    example: 'demo-7f3c2a1e-10-244-1-0-24',
    description: 'Unique in the network (DNS-1123 label).',
  })
  @IsResourceName()
  name: string;

  @ApiProperty({
    example: '10.244.1.0/24',
    description:
      'IPv4 or IPv6 CIDR, no host bits set. Unique in the network; overlapping destinations are allowed and reported in `overlaps`.',
  })
  @IsString()
  @MaxLength(43)
  destinationCidr: string;

  @ApiProperty({ type: RouteNextHopRequest })
  @IsObject()
  @IsNotEmptyObject()
  @ValidateNested()
  @Type(() => RouteNextHopRequest)
  nextHop: RouteNextHopRequest;

  @ApiPropertyOptional({ example: 'k8s-node-route', description: 'At most 255 characters.' })
  @IsOptional()
  @IsString()
  @MaxLength(255)
  description?: string;
}

export class ListRoutesQuery extends PageQueryDto {
  @ApiPropertyOptional({ example: 'demo-7f3c2a1e-10-244-1-0-24' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  name?: string;

  @ApiPropertyOptional({
    example: '10.244.1.0/24',
    description: 'Exact destination (canonical form).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(43)
  destinationCidr?: string;

  @ApiPropertyOptional({ example: 'i-0a1b2c3d4e5f60718' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  nextHopInstanceId?: string;

  @ApiPropertyOptional({ enum: ROUTE_STATES, example: 'blackhole' })
  @IsOptional()
  @IsIn(ROUTE_STATES)
  state?: RouteState;
}

export class RouteNextHopDto {
  @ApiProperty({ example: 'i-0a1b2c3d4e5f60718' })
  instanceId: string;

  @ApiProperty({ example: '10.0.0.4', description: "The instance's private IP." })
  ip: string;
}

export class RouteDto {
  @ApiProperty({ example: 'rt-0a1b2c3d4e5f60718' })
  id: string;

  @ApiProperty({ example: 'demo-7f3c2a1e-10-244-1-0-24' })
  name: string;

  @ApiProperty({ example: 'net-0a1b2c3d4e5f60718' })
  networkId: string;

  @ApiProperty({ example: '10.244.1.0/24' })
  destinationCidr: string;

  @ApiProperty({ type: RouteNextHopDto })
  nextHop: RouteNextHopDto;

  @ApiPropertyOptional({ example: 'k8s-node-route' })
  description?: string;

  @ApiProperty({
    enum: ROUTE_STATES,
    example: 'active',
    description: '`blackhole` once the next-hop instance is terminated (a CCM deletes those).',
  })
  state: RouteState;

  @ApiProperty({
    example: ['rt-1b2c3d4e5f6071829'],
    description: 'Other routes of the network whose destinations overlap this one.',
  })
  overlaps: string[];

  @ApiProperty({ example: '2026-11-26T20:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-26T20:00:01.000Z' })
  updatedAt: string;

  @ApiProperty({ example: 'a41f09c2d3e4b5f6', description: 'Also sent as the ETag header.' })
  etag: string;
}

export class RouteListDto {
  @ApiProperty({ type: [RouteDto] })
  items: RouteDto[];

  @ApiPropertyOptional({
    description: 'Pass as pageToken to get the next page; absent on the last page.',
  })
  nextPageToken?: string;
}

export class RouteOperationDto {
  @ApiProperty({ type: RouteDto })
  route: RouteDto;

  @ApiProperty({ type: OperationDto })
  operation: OperationDto;
}
