import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';
import { PageQueryDto } from './list.dto';
import { OperationDto } from './operation.dto';
import { IsResourceName } from './validation/names';

export class CreateNetworkRequest {
  @ApiProperty({ example: 'storage', description: 'Unique in the project (DNS-1123 label).' })
  @IsResourceName()
  name: string;

  @ApiProperty({
    example: '10.1.0.0/16',
    description: 'IPv4 CIDR with no host bits set, prefix /8 to /28.',
  })
  @IsString()
  @MaxLength(18)
  cidr: string;
}

export class ListNetworksQuery extends PageQueryDto {
  @ApiPropertyOptional({ example: 'default', description: 'Exact network name.' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  name?: string;
}

export class SubnetDto {
  @ApiProperty({ example: 'nimbus-1a' })
  zone: string;

  @ApiProperty({ example: '10.0.0.0/18' })
  cidr: string;
}

export class NetworkDto {
  @ApiProperty({ example: 'net-0a1b2c3d4e5f60718' })
  id: string;

  @ApiProperty({ example: 'default' })
  name: string;

  @ApiProperty({ example: 'default' })
  projectId: string;

  @ApiProperty({ example: '10.0.0.0/16' })
  cidr: string;

  @ApiProperty({
    example: true,
    description: "The project's default network: instances live in its zone subnets.",
  })
  default: boolean;

  @ApiProperty({
    type: [SubnetDto],
    description: 'Zone subnets (only the default network has them).',
  })
  subnets: SubnetDto[];

  @ApiProperty({ example: '2026-11-26T20:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: 'a41f09c2d3e4b5f6', description: 'Also sent as the ETag header.' })
  etag: string;
}

export class NetworkListDto {
  @ApiProperty({ type: [NetworkDto] })
  items: NetworkDto[];

  @ApiPropertyOptional({
    description: 'Pass as pageToken to get the next page; absent on the last page.',
  })
  nextPageToken?: string;
}

export class NetworkOperationDto {
  @ApiProperty({ type: NetworkDto })
  network: NetworkDto;

  @ApiProperty({ type: OperationDto })
  operation: OperationDto;
}
