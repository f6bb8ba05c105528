import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';

export const RESOURCE_CHANGES = ['created', 'updated', 'deleted'] as const;

export class EventStreamQuery {
  @ApiPropertyOptional({
    description:
      'Resume after this event id (like the Last-Event-ID header, for clients that cannot set headers).',
    example: '1042',
  })
  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'must be an event id (a non-negative integer)' })
  lastEventId?: string;
}

/** The `data` of one change-stream event (the SSE `event` is the change, the `id` is `seq`). */
export class ResourceChangeEventDto {
  @ApiProperty({ example: 1042, description: 'Event id, increasing.' })
  seq: number;

  @ApiProperty({ enum: RESOURCE_CHANGES, example: 'updated' })
  change: string;

  @ApiProperty({
    example: 'instance',
    description: 'instance, volume, network, route, loadBalancer',
  })
  resourceType: string;

  @ApiProperty({ example: 'i-0a1b2c3d4e5f60718' })
  resourceId: string;

  @ApiProperty({ example: 'web-1' })
  name: string;

  @ApiProperty({ example: 'default' })
  projectId: string;

  @ApiPropertyOptional({ example: 'pending', description: 'State before (updated, deleted).' })
  oldState?: string;

  @ApiPropertyOptional({ example: 'running', description: 'State after (created, updated).' })
  newState?: string;

  @ApiProperty({ example: '2026-11-26T20:00:01.500Z', description: 'Clock time of the change.' })
  at: string;
}
