import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject } from 'class-validator';

export class QuotaDto {
  @ApiProperty({
    example: 'instances',
    description:
      'instances, vcpus, volumes, volumeGiB, loadBalancers, publicIps, routesPerNetwork, attachmentsPerInstance',
  })
  metric: string;

  @ApiPropertyOptional({
    example: 'net-0a1b2c3d4e5f6071',
    description: 'For scoped quotas (routes per network, attachments per instance).',
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

/** Admin: sets some of a project's quota limits; metrics not named keep their limit. */
export class SetQuotaLimitsRequest {
  @ApiProperty({
    example: { instances: 20, vcpus: 64, volumes: 10, volumeGiB: 500 },
    description:
      'Metric → limit (a non-negative integer). Unknown metrics and negative values are rejected.',
  })
  @IsObject()
  limits: Record<string, number>;
}
