import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { LabelledPageQueryDto } from './list.dto';
import { OperationDto } from './operation.dto';
import { IsLabels } from './validation/labels';
import { IsResourceName } from './validation/names';

export const VOLUME_STATES = [
  'creating',
  'available',
  'attaching',
  'in-use',
  'detaching',
  'deleting',
  /** A failed operation left it broken (failedOperation fault); it can be deleted. */
  'error',
] as const;
export type VolumeState = (typeof VOLUME_STATES)[number];

export const ATTACHMENT_STATES = ['attaching', 'attached', 'detaching'] as const;
export type AttachmentState = (typeof ATTACHMENT_STATES)[number];

/** Hard ceiling of any volume size; the volume type's maxSizeGiB is usually lower. */
const MAX_SIZE_GIB = 1_048_576;
const LABELS_EXAMPLE = { 'kubernetes.io/created-for-pvc-name': 'data-db-0' };
const INSTANCE_ID_EXAMPLE = 'i-0a1b2c3d4e5f60718';

export class CreateVolumeRequest {
  @ApiProperty({
    example: 'pvc-4f1d2c3b',
    description: 'Unique among the volumes of the project that are not being deleted.',
  })
  @IsResourceName()
  name: string;

  @ApiProperty({ example: 'nimbus-1a', description: 'See GET /v1/zones.' })
  @IsString()
  @MaxLength(63)
  zone: string;

  @ApiProperty({ example: 20, description: "Within the type's minSizeGiB..maxSizeGiB." })
  @IsInt()
  @Min(1)
  @Max(MAX_SIZE_GIB)
  sizeGiB: number;

  @ApiPropertyOptional({
    example: 'ssd',
    description: 'See GET /v1/volume-types; default: the type marked `default` there (`standard`).',
  })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  type?: string;

  @ApiPropertyOptional({ example: LABELS_EXAMPLE })
  @IsOptional()
  @IsObject()
  @IsLabels()
  labels?: Record<string, string>;

  @ApiPropertyOptional({
    example: false,
    description: 'Allow attaching to several instances at once; only for multi-attach types.',
  })
  @IsOptional()
  @IsBoolean()
  multiAttach?: boolean;

  @ApiPropertyOptional({
    example: false,
    description: 'Delete the volume when an instance it is attached to is terminated.',
  })
  @IsOptional()
  @IsBoolean()
  deleteOnTermination?: boolean;
}

export class UpdateVolumeRequest {
  @ApiProperty({ example: LABELS_EXAMPLE, description: 'Replaces all labels.' })
  @IsObject()
  @IsLabels()
  labels: Record<string, string>;
}

export class ResizeVolumeRequest {
  @ApiProperty({
    example: 40,
    description:
      "The new size: at least the current size (volumes only grow), at most the type's maxSizeGiB.",
  })
  @IsInt()
  @Min(1)
  @Max(MAX_SIZE_GIB)
  sizeGiB: number;
}

/** Body of attach and detach. */
export class VolumeAttachmentRequest {
  @ApiProperty({ example: INSTANCE_ID_EXAMPLE })
  @IsString()
  @MaxLength(32)
  instanceId: string;
}

export class ListVolumesQuery extends LabelledPageQueryDto {
  @ApiPropertyOptional({ example: 'nimbus-1a' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  zone?: string;

  @ApiPropertyOptional({ enum: VOLUME_STATES, example: 'available' })
  @IsOptional()
  @IsIn(VOLUME_STATES)
  state?: VolumeState;

  @ApiPropertyOptional({ example: 'pvc-4f1d2c3b', description: 'Exact volume name.' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  name?: string;

  @ApiPropertyOptional({
    example: INSTANCE_ID_EXAMPLE,
    description: 'Only volumes with an attachment (in any state) to this instance.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  instanceId?: string;
}

export class VolumeAttachmentDto {
  @ApiProperty({ example: INSTANCE_ID_EXAMPLE })
  instanceId: string;

  @ApiProperty({
    example: '/dev/vdb',
    description: 'Stable while attached: the lowest free device on the instance.',
  })
  device: string;

  @ApiProperty({ enum: ATTACHMENT_STATES, example: 'attached' })
  state: AttachmentState;
}

export class VolumeDto {
  @ApiProperty({ example: 'vol-0f1e2d3c4b5a69788' })
  id: string;

  @ApiProperty({ example: 'pvc-4f1d2c3b' })
  name: string;

  @ApiProperty({ example: 'default' })
  projectId: string;

  @ApiProperty({ example: 'nimbus-1a' })
  zone: string;

  @ApiProperty({ example: 'nimbus-1' })
  region: string;

  @ApiProperty({ example: 'ssd' })
  type: string;

  @ApiProperty({ example: 20 })
  sizeGiB: number;

  @ApiProperty({ example: false })
  multiAttach: boolean;

  @ApiProperty({ example: false })
  deleteOnTermination: boolean;

  @ApiProperty({
    enum: VOLUME_STATES,
    example: 'in-use',
    description:
      'in-use when at least one attachment is attached; otherwise attaching/detaching while one is in flight.',
  })
  state: VolumeState;

  @ApiProperty({ type: [VolumeAttachmentDto] })
  attachments: VolumeAttachmentDto[];

  @ApiProperty({ example: LABELS_EXAMPLE })
  labels: Record<string, string>;

  @ApiProperty({ example: '2026-11-26T20:00:00.000Z' })
  createdAt: string;

  @ApiProperty({ example: '2026-11-26T20:00:01.000Z' })
  updatedAt: string;

  @ApiProperty({
    example: 'a41f09c2d3e4b5f6',
    description: 'Also sent as the ETag header; send it back in If-Match.',
  })
  etag: string;
}

export class VolumeListDto {
  @ApiProperty({ type: [VolumeDto] })
  items: VolumeDto[];

  @ApiPropertyOptional({
    description: 'Pass as pageToken to get the next page; absent on the last page.',
  })
  nextPageToken?: string;
}

/** What every volume mutation answers: the volume in its new state and the operation. */
export class VolumeOperationDto {
  @ApiProperty({ type: VolumeDto })
  volume: VolumeDto;

  @ApiProperty({ type: OperationDto })
  operation: OperationDto;
}
