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
  CreateVolumeRequest,
  ListVolumesQuery,
  ResizeVolumeRequest,
  UpdateVolumeRequest,
  VolumeAttachmentRequest,
  VolumeDto,
  VolumeListDto,
  VolumeOperationDto,
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
import { toVolumeDto, volumeEtag } from './volume.mapper';
import { VolumeAttachmentsService } from './volume-attachments.service';
import { VolumesService, type VolumeMutation } from './volumes.service';

const ID_PARAM = { name: 'id', example: 'vol-0f1e2d3c4b5a69788' };

@ApiTags('volumes')
@ApiBearerAuth()
@Controller('v1/volumes')
export class VolumesController {
  constructor(
    private readonly volumes: VolumesService,
    private readonly attachments: VolumeAttachmentsService,
    private readonly runner: MutationRunner,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a volume',
    description: 'Answers 202 with the volume in state creating and the operation.',
  })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({ type: VolumeOperationDto })
  @ApiProblems(400, 401, 409, 429)
  create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateVolumeRequest,
    @Res({ passthrough: true }) res: Response,
  ): VolumeOperationDto {
    return this.runner.run(ctx, body, res, () => respond(this.volumes.create(ctx.principal, body)));
  }

  @Get()
  @ApiOperation({
    summary: 'List volumes',
    description: 'Filters combine with AND; paging with pageSize/pageToken.',
  })
  @ApiOkResponse({ type: VolumeListDto })
  @ApiProblems(400, 401)
  list(@Ctx() ctx: RequestContext, @Query() query: ListVolumesQuery): VolumeListDto {
    const page = this.volumes.list(ctx.principal, query);
    return { items: page.items.map(toVolumeDto), nextPageToken: page.nextPageToken };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a volume' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: VolumeDto })
  @ApiProblems(401, 404)
  get(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): VolumeDto {
    const view = this.volumes.view(ctx.principal, id);
    res.setHeader('ETag', etagHeader(volumeEtag(view.row)));
    return toVolumeDto(view);
  }

  @Patch(':id')
  @ApiOperation({ summary: "Replace a volume's labels" })
  @ApiParam(ID_PARAM)
  @ApiIfMatch()
  @ApiOkResponse({ type: VolumeOperationDto })
  @ApiProblems(400, 401, 404, 412)
  update(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateVolumeRequest,
    @Res({ passthrough: true }) res: Response,
  ): VolumeOperationDto {
    return this.runner.run(ctx, body, res, () =>
      respond(this.volumes.updateLabels(ctx.principal, id, body.labels, ctx.ifMatch)),
    );
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a volume',
    description: 'deleting → gone. A volume with attachments answers FAILED_PRECONDITION.',
  })
  @ApiParam(ID_PARAM)
  @ApiIfMatch()
  @ApiAcceptedResponse({ type: VolumeOperationDto })
  @ApiProblems(400, 401, 404, 412)
  delete(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): VolumeOperationDto {
    return this.runner.run(ctx, {}, res, () =>
      respond(this.volumes.delete(ctx.principal, id, ctx.ifMatch)),
    );
  }

  @Post(':id/resize')
  @ApiOperation({
    summary: 'Grow a volume',
    description:
      'The new size shows at once and counts against volumeGiB; shrinking is FAILED_PRECONDITION, the same size a no-op.',
  })
  @ApiParam(ID_PARAM)
  @ApiMutationHeaders()
  @ApiAcceptedResponse({ type: VolumeOperationDto })
  @ApiProblems(400, 401, 404, 409, 412, 429)
  resize(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: ResizeVolumeRequest,
    @Res({ passthrough: true }) res: Response,
  ): VolumeOperationDto {
    return this.runner.run(ctx, body, res, () =>
      respond(this.volumes.resize(ctx.principal, id, body.sizeGiB, ctx.ifMatch)),
    );
  }

  @Post(':id/attach')
  @ApiOperation({
    summary: 'Attach a volume to an instance',
    description:
      'Same zone only; the instance must be running or stopped and below its type’s maxAttachedVolumes; a volume that is not multi-attach attaches to one instance at a time. Each broken rule answers FAILED_PRECONDITION naming it. Attaching again to the same instance is a no-op.',
  })
  @ApiParam(ID_PARAM)
  @ApiMutationHeaders()
  @ApiAcceptedResponse({ type: VolumeOperationDto })
  @ApiProblems(400, 401, 404, 409, 412, 429)
  attach(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: VolumeAttachmentRequest,
    @Res({ passthrough: true }) res: Response,
  ): VolumeOperationDto {
    return this.attachment(ctx, id, body, res, 'attach');
  }

  @Post(':id/detach')
  @ApiOperation({
    summary: 'Detach a volume from an instance',
    description:
      'attached → detaching → gone; the device is free once detached. Not attached to that instance: FAILED_PRECONDITION.',
  })
  @ApiParam(ID_PARAM)
  @ApiMutationHeaders()
  @ApiAcceptedResponse({ type: VolumeOperationDto })
  @ApiProblems(400, 401, 404, 409, 412)
  detach(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: VolumeAttachmentRequest,
    @Res({ passthrough: true }) res: Response,
  ): VolumeOperationDto {
    return this.attachment(ctx, id, body, res, 'detach');
  }

  private attachment(
    ctx: RequestContext,
    id: string,
    body: VolumeAttachmentRequest,
    res: Response,
    verb: 'attach' | 'detach',
  ): VolumeOperationDto {
    return this.runner.run(ctx, body, res, () =>
      respond(this.attachments[verb](ctx.principal, id, body.instanceId, ctx.ifMatch)),
    );
  }
}

function respond(mutation: VolumeMutation): MutationResult<VolumeOperationDto> {
  const { volume, operation } = mutation;
  return operationResult('volume', toVolumeDto(volume), volumeEtag(volume.row), operation);
}
