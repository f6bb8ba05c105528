import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsIP, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { LabelledPageQueryDto } from './list.dto';
import { OperationDto } from './operation.dto';
import { IsLabels } from './validation/labels';
import { IsResourceName } from './validation/names';

export const INSTANCE_STATES = [
  'pending',
  'running',
  'stopping',
  'stopped',
  'shutting-down',
  'terminated',
  /** A failed operation left it broken (failedOperation fault); it can only be terminated. */
  'error',
] as const;
export type InstanceState = (typeof INSTANCE_STATES)[number];

const LABELS_EXAMPLE = { app: 'web', 'kubernetes.io/cluster': 'demo' };

export class CreateInstanceRequest {
  @ApiProperty({
    example: 'web-1',
    description: 'Unique among the non-terminated instances of the project.',
  })
  @IsResourceName()
  name: string;

  @ApiProperty({ example: 'nimbus-1a', description: 'See GET /v1/zones.' })
  @IsString()
  @MaxLength(63)
  zone: string;

  @ApiProperty({ example: 'nb.medium', description: 'See GET /v1/instance-types.' })
  @IsString()
  @MaxLength(63)
  instanceType: string;

  @ApiPropertyOptional({ example: LABELS_EXAMPLE })
  @IsOptional()
  @IsObject()
  @IsLabels()
  labels?: Record<string, string>;

  @ApiPropertyOptional({
    example: '#cloud-config\nhostname: web-1\n',
    description: 'At most 16 KiB.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(16384)
  userData?: string;

  @ApiPropertyOptional({ example: false, description: 'Also allocate a public IPv4 address.' })
  @IsOptional()
  @IsBoolean()
  assignPublicIp?: boolean;
}

export class UpdateInstanceRequest {
  @ApiProperty({ example: LABELS_EXAMPLE, description: 'Replaces all labels.' })
  @IsObject()
  @IsLabels()
  labels: Record<string, string>;
}

export class ListInstancesQuery extends LabelledPageQueryDto {
  @ApiPropertyOptional({ example: 'nimbus-1a' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  zone?: string;

  @ApiPropertyOptional({ enum: INSTANCE_STATES, example: 'running' })
  @IsOptional()
  @IsIn(INSTANCE_STATES)
  state?: InstanceState;

  @ApiPropertyOptional({
    example: 'web-1',
    description: 'Exact instance name (a node name, for a CCM).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(253)
  name?: string;

  @ApiPropertyOptional({
    example: '10.0.0.4',
    description: 'Exact private IP (a node address, for a CCM).',
  })
  @IsOptional()
  @IsIP()
  privateIp?: string;
}

/** A volume attached (or attaching/detaching) to an instance. */
export class InstanceVolumeDto {
  @ApiProperty({ example: 'vol-0f1e2d3c4b5a69788' })
  volumeId: string;

  @ApiProperty({ example: '/dev/vdb' })
  device: string;

  @ApiProperty({ enum: ['attaching', 'attached', 'detaching'], example: 'attached' })
  state: string;
}

export class InstanceDto {
  @ApiProperty({ example: 'i-0a1b2c3d4e5f60718' })
  id: string;

  @ApiProperty({ example: 'web-1' })
  name: string;

  @ApiProperty({ example: 'default' })
  projectId: string;

  @ApiProperty({ example: 'nimbus-1a' })
  zone: string;

  @ApiProperty({ example: 'nimbus-1' })
  region: string;

  @ApiProperty({ example: 'nb.medium' })
  instanceType: string;

  @ApiProperty({ enum: INSTANCE_STATES, example: 'running' })
  state: InstanceState;

  @ApiProperty({
    example: false,
    description:
      'True for a machine that runs outside Nimbus, recorded with POST /v1/instances:import (e.g. an adopted kind node). Nimbus cannot stop, start or reboot it; terminating it only forgets it.',
  })
  imported: boolean;

  @ApiProperty({
    example: 'nimbus://default/nimbus-1a/i-0a1b2c3d4e5f60718',
    description: 'Kubernetes spec.providerID.',
  })
  providerId: string;

  @ApiProperty({ example: '10.0.0.4' })
  privateIp: string;

  @ApiPropertyOptional({ example: '198.51.100.7' })
  publicIp?: string;

  @ApiProperty({ example: 'web-1' })
  hostname: string;

  @ApiProperty({ example: 'ip-10-0-0-4.nimbus-1.compute.internal' })
  privateDnsName: string;

  @ApiProperty({ example: LABELS_EXAMPLE })
  labels: Record<string, string>;

  @ApiPropertyOptional({ example: '#cloud-config\n' })
  userData?: string;

  @ApiProperty({ type: [InstanceVolumeDto], description: 'Attached volumes, in device order.' })
  volumes: InstanceVolumeDto[];

  @ApiProperty({ example: '2026-11-26T20:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-26T20:00:01.500Z' })
  updatedAt: string;

  @ApiProperty({
    example: 'a41f09c2d3e4b5f6',
    description: 'Also sent as the ETag header; send it back in If-Match.',
  })
  etag: string;
}

export class InstanceListDto {
  @ApiProperty({ type: [InstanceDto] })
  items: InstanceDto[];

  @ApiPropertyOptional({
    description: 'Pass as pageToken to get the next page; absent on the last page.',
  })
  nextPageToken?: string;
}

/** What every instance mutation answers: the instance in its new (often transitional) state and the operation. */
export class InstanceOperationDto {
  @ApiProperty({ type: InstanceDto })
  instance: InstanceDto;

  @ApiProperty({ type: OperationDto })
  operation: OperationDto;
}
