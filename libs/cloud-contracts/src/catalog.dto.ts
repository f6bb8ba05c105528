import { ApiProperty } from '@nestjs/swagger';

export class RegionDto {
  @ApiProperty({ example: 'nimbus-1' })
  name: string;

  @ApiProperty({ example: ['nimbus-1a', 'nimbus-1b', 'nimbus-1c'] })
  zones: string[];
}

export class ZoneDto {
  @ApiProperty({ example: 'nimbus-1a' })
  name: string;

  @ApiProperty({ example: 'nimbus-1' })
  region: string;

  @ApiProperty({
    example: '10.0.0.0/18',
    description: "CIDR of the zone's subnet in each project's default network.",
  })
  subnetCidr: string;
}

export class InstanceTypeDto {
  @ApiProperty({ example: 'nb.medium' })
  name: string;

  @ApiProperty({ example: 2 })
  vcpus: number;

  @ApiProperty({ example: 4096 })
  memoryMiB: number;

  @ApiProperty({ example: 16, description: 'Most volumes that may be attached at once.' })
  maxAttachedVolumes: number;

  @ApiProperty({ example: 'amd64' })
  architecture: string;

  @ApiProperty({ example: ['nimbus-1a', 'nimbus-1b', 'nimbus-1c'] })
  zones: string[];
}

export class VolumeTypeDto {
  @ApiProperty({ example: 'ssd' })
  name: string;

  @ApiProperty({ example: 'Network block storage (SSD class), multi-attach capable' })
  description: string;

  @ApiProperty({ example: 4, description: 'Smallest size a volume of this type may have.' })
  minSizeGiB: number;

  @ApiProperty({ example: 16384, description: 'Largest size (also the limit for resizes).' })
  maxSizeGiB: number;

  @ApiProperty({
    example: true,
    description: 'Whether a volume of this type may be attached to several instances at once.',
  })
  multiAttach: boolean;

  @ApiProperty({
    example: false,
    description: 'The type a volume gets when its create names none (exactly one is the default).',
  })
  default: boolean;

  @ApiProperty({ example: ['nimbus-1a', 'nimbus-1b', 'nimbus-1c'] })
  zones: string[];
}

export class RegionListDto {
  @ApiProperty({ type: [RegionDto] })
  items: RegionDto[];
}

export class ZoneListDto {
  @ApiProperty({ type: [ZoneDto] })
  items: ZoneDto[];
}

export class InstanceTypeListDto {
  @ApiProperty({ type: [InstanceTypeDto] })
  items: InstanceTypeDto[];
}

export class VolumeTypeListDto {
  @ApiProperty({ type: [VolumeTypeDto] })
  items: VolumeTypeDto[];
}
