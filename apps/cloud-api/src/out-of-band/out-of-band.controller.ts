import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { ChangePrivateIpRequest, InstanceDto } from '@app/cloud-contracts';
import { AdminOnly } from '../auth/auth.decorators';
import { toInstanceDto } from '../instances/instance.mapper';
import type { InstanceRow } from '../instances/instances.repository';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { VolumeAttachmentsService } from '../volumes/volume-attachments.service';
import { OutOfBandService } from './out-of-band.service';

const INSTANCE = { name: 'id', example: 'i-0a1b2c3d4e5f60718' };
const NOTE =
  ' Out-of-band: immediate, no operation, any project; recorded in the audit log with outOfBand=true and streamed as a change.';

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin')
export class OutOfBandController {
  constructor(
    private readonly outOfBand: OutOfBandService,
    private readonly attachments: VolumeAttachmentsService,
  ) {}

  @Post('instances/:id/crash')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Crash an instance (admin)',
    description: 'pending, running or stopping → stopped at once.' + NOTE,
  })
  @ApiParam(INSTANCE)
  @ApiOkResponse({ type: InstanceDto })
  @ApiProblems(400, 401, 403, 404)
  crash(@Param('id') id: string): InstanceDto {
    return this.toDto(this.outOfBand.crash(id));
  }

  @Post('instances/:id/stop')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Stop an instance behind the API (admin)',
    description: 'running or stopping → stopped at once, as a console user would.' + NOTE,
  })
  @ApiParam(INSTANCE)
  @ApiOkResponse({ type: InstanceDto })
  @ApiProblems(400, 401, 403, 404)
  stop(@Param('id') id: string): InstanceDto {
    return this.toDto(this.outOfBand.stop(id));
  }

  @Post('instances/:id/terminate')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Terminate an instance behind the API (admin)',
    description:
      'Any state but terminated → terminated at once: IPs and quota released, volumes detached, routes through it blackholed, load-balancer backends dropped.' +
      NOTE,
  })
  @ApiParam(INSTANCE)
  @ApiOkResponse({ type: InstanceDto })
  @ApiProblems(400, 401, 403, 404)
  terminate(@Param('id') id: string): InstanceDto {
    return this.toDto(this.outOfBand.terminate(id));
  }

  @Post('instances/:id/private-ip')
  @HttpCode(200)
  @ApiOperation({
    summary: "Change an instance's private IP (admin)",
    description:
      "The given address (free, in the zone's subnet) or the next free one; routes through the instance and load-balancer backends follow." +
      NOTE,
  })
  @ApiParam(INSTANCE)
  @ApiOkResponse({ type: InstanceDto })
  @ApiProblems(400, 401, 403, 404)
  changePrivateIp(@Param('id') id: string, @Body() body: ChangePrivateIpRequest): InstanceDto {
    return this.toDto(this.outOfBand.changePrivateIp(id, body.privateIp));
  }

  @Post('load-balancers/:id/delete')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a load balancer behind the API (admin)',
    description: 'Gone at once: public IPs, backends and quota released.' + NOTE,
  })
  @ApiParam({ name: 'id', example: 'lb-0a1b2c3d4e5f60718' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(401, 403, 404)
  deleteLoadBalancer(@Param('id') id: string): void {
    this.outOfBand.deleteLoadBalancer(id);
  }

  @Post('routes/:id/delete')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a route behind the API (admin)',
    description: 'Gone at once; the network route quota is released.' + NOTE,
  })
  @ApiParam({ name: 'id', example: 'rt-0a1b2c3d4e5f60718' })
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(401, 403, 404)
  deleteRoute(@Param('id') id: string): void {
    this.outOfBand.deleteRoute(id);
  }

  private toDto(row: InstanceRow): InstanceDto {
    return toInstanceDto(row, this.attachments.volumesOfInstances([row.id]).get(row.id) ?? []);
  }
}
