import { Body, Controller, Delete, Get, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  CreateInstanceRequest,
  InstanceDto,
  InstanceListDto,
  InstanceOperationDto,
  ListInstancesQuery,
  UpdateInstanceRequest,
} from '@app/cloud-contracts';
import type { Response } from 'express';
import {
  ApiIdempotencyKey,
  ApiIfMatch,
  ApiMutationHeaders,
} from '../conventions/api-headers.decorator';
import { etagHeader } from '../conventions/etag';
import { MutationRunner, type MutationResult } from '../conventions/mutation-runner';
import { Ctx, type RequestContext } from '../conventions/request-context';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { operationResult } from '../operations/operation-result';
import { VolumeAttachmentsService } from '../volumes/volume-attachments.service';
import { toInstanceDto } from './instance.mapper';
import type { InstanceRow } from './instances.repository';
import type { InstanceAction } from './instance-state-machine';
import { InstancesService, type InstanceMutation } from './instances.service';

const ID_PARAM = { name: 'id', example: 'i-0a1b2c3d4e5f60718' };

@ApiTags('instances')
@ApiBearerAuth()
@Controller('v1/instances')
export class InstancesController {
  constructor(
    private readonly instances: InstancesService,
    private readonly attachments: VolumeAttachmentsService,
    private readonly runner: MutationRunner,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create an instance',
    description: 'Answers 202 with the instance in state pending and the operation.',
  })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({ type: InstanceOperationDto })
  @ApiProblems(400, 401, 409, 429)
  create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateInstanceRequest,
    @Res({ passthrough: true }) res: Response,
  ): InstanceOperationDto {
    return this.runner.run(ctx, body, res, () =>
      // A new instance has no volumes: no attachment query.
      this.respond(this.instances.create(ctx.principal, body), []),
    );
  }

  @Get()
  @ApiOperation({
    summary: 'List instances',
    description: 'Filters combine with AND; paging with pageSize/pageToken.',
  })
  @ApiOkResponse({ type: InstanceListDto })
  @ApiProblems(400, 401)
  list(@Ctx() ctx: RequestContext, @Query() query: ListInstancesQuery): InstanceListDto {
    const page = this.instances.list(ctx.principal, query);
    return { items: this.toDtos(page.items), nextPageToken: page.nextPageToken };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an instance' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: InstanceDto })
  @ApiProblems(401, 404)
  get(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): InstanceDto {
    const dto = this.toDtos([this.instances.get(ctx.principal, id)])[0];
    res.setHeader('ETag', etagHeader(dto.etag));
    return dto;
  }

  @Patch(':id')
  @ApiOperation({ summary: "Replace an instance's labels" })
  @ApiParam(ID_PARAM)
  @ApiIfMatch()
  @ApiOkResponse({ type: InstanceOperationDto })
  @ApiProblems(400, 401, 404, 412)
  update(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateInstanceRequest,
    @Res({ passthrough: true }) res: Response,
  ): InstanceOperationDto {
    return this.runner.run(ctx, body, res, () =>
      this.respond(this.instances.updateLabels(ctx.principal, id, body.labels, ctx.ifMatch)),
    );
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Terminate an instance',
    description:
      'shutting-down → terminated; the terminated instance stays visible for the retention time.',
  })
  @ApiParam(ID_PARAM)
  @ApiIfMatch()
  @ApiAcceptedResponse({ type: InstanceOperationDto })
  @ApiProblems(401, 404, 412)
  terminate(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.action(ctx, id, 'terminate', res);
  }

  @Post(':id/stop')
  @ApiOperation({ summary: 'Stop a running instance (running → stopping → stopped)' })
  @ApiParam(ID_PARAM)
  @ApiMutationHeaders()
  @ApiAcceptedResponse({ type: InstanceOperationDto })
  @ApiProblems(400, 401, 404, 409, 412)
  stop(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.action(ctx, id, 'stop', res);
  }

  @Post(':id/start')
  @ApiOperation({ summary: 'Start a stopped instance (stopped → pending → running)' })
  @ApiParam(ID_PARAM)
  @ApiMutationHeaders()
  @ApiAcceptedResponse({ type: InstanceOperationDto })
  @ApiProblems(400, 401, 404, 409, 412)
  start(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.action(ctx, id, 'start', res);
  }

  @Post(':id/reboot')
  @ApiOperation({ summary: 'Reboot a running instance (stays running; the operation takes time)' })
  @ApiParam(ID_PARAM)
  @ApiMutationHeaders()
  @ApiAcceptedResponse({ type: InstanceOperationDto })
  @ApiProblems(400, 401, 404, 409, 412)
  reboot(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.action(ctx, id, 'reboot', res);
  }

  private action(
    ctx: RequestContext,
    id: string,
    action: InstanceAction,
    res: Response,
  ): InstanceOperationDto {
    return this.runner.run(ctx, {}, res, () =>
      this.respond(this.instances.act(ctx.principal, id, action, ctx.ifMatch)),
    );
  }

  private respond(
    mutation: InstanceMutation,
    volumes?: InstanceDto['volumes'],
  ): MutationResult<InstanceOperationDto> {
    const { instance, operation } = mutation;
    const dto = volumes ? toInstanceDto(instance, volumes) : this.toDtos([instance])[0];
    return operationResult('instance', dto, dto.etag, operation);
  }

  /** Instances with their volumes: one attachment query per page, not per row. */
  private toDtos(rows: InstanceRow[]): InstanceDto[] {
    const volumes = this.attachments.volumesOfInstances(rows.map((row) => row.id));
    return rows.map((row) => toInstanceDto(row, volumes.get(row.id) ?? []));
  }
}
