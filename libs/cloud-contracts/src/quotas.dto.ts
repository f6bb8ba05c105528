import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class QuotaDto {
  @ApiProperty({
    example: 'instances',
    description: 'instances, vcpus, volumes, volumeGiB, loadBalancers, publicIps, routesPerNetwork',
  })
  metric: string;

  @ApiPropertyOptional({
    example: 'net-0a1b2c3d4e5f6071',
    description: 'For scoped quotas (routes per network).',
  })
  scope?: string;

  @ApiProperty({ example: 1000 })
  limit: number;

  @ApiProperty({ example: 3 })
  usage: number;
}

export class QuotaListDto {
  @ApiProperty({ type: [QuotaDto] })
  items: QuotaDto[];
}
