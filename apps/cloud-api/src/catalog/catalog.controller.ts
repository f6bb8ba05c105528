import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  InstanceTypeListDto,
  RegionListDto,
  VolumeTypeListDto,
  ZoneListDto,
} from '@app/cloud-contracts';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { CatalogService } from './catalog.service';

@ApiTags('catalog')
@ApiBearerAuth()
@Controller('v1')
export class CatalogController {
  constructor(private readonly catalog: CatalogService) {}

  @Get('regions')
  @ApiOperation({ summary: 'List regions' })
  @ApiOkResponse({ type: RegionListDto })
  @ApiProblems(401)
  regions(): RegionListDto {
    return { items: this.catalog.regions() };
  }

  @Get('zones')
  @ApiOperation({ summary: "List zones and their subnets in each project's default network" })
  @ApiOkResponse({ type: ZoneListDto })
  @ApiProblems(401)
  zones(): ZoneListDto {
    return { items: this.catalog.zones() };
  }

  @Get('instance-types')
  @ApiOperation({ summary: 'List instance types (vCPUs, memory, attachable volumes)' })
  @ApiOkResponse({ type: InstanceTypeListDto })
  @ApiProblems(401)
  instanceTypes(): InstanceTypeListDto {
    return { items: this.catalog.instanceTypes() };
  }

  @Get('volume-types')
  @ApiOperation({ summary: 'List volume types (size range, multi-attach)' })
  @ApiOkResponse({ type: VolumeTypeListDto })
  @ApiProblems(401)
  volumeTypes(): VolumeTypeListDto {
    return { items: this.catalog.volumeTypes() };
  }
}
