import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import {
  CreateNetworkRequest,
  NetworkDto,
  NetworkListDto,
  ListNetworksQuery,
  NetworkOperationDto,
} from '@app/cloud-contracts';
import type { Response } from 'express';
import { ApiIdempotencyKey, ApiIfMatch } from '../conventions/api-headers.decorator';
import { etagHeader } from '../conventions/etag';
import { MutationRunner, type MutationResult } from '../conventions/mutation-runner';
import { Ctx, type RequestContext } from '../conventions/request-context';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { operationResult } from '../operations/operation-result';
import { networkEtag, toNetworkDto } from './network.mapper';
import { NetworksService, type NetworkMutation } from './networks.service';

const ID_PARAM = { name: 'id', example: 'net-0a1b2c3d4e5f60718' };

@ApiTags('networks')
@ApiBearerAuth()
@Controller('v1/networks')
export class NetworksController {
  constructor(
    private readonly networks: NetworksService,
    private readonly runner: MutationRunner,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a network',
    description: 'Immediate: answers 200 with the network and a done operation.',
  })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: NetworkOperationDto })
  @ApiProblems(400, 401, 409)
  create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateNetworkRequest,
    @Res({ passthrough: true }) res: Response,
  ): NetworkOperationDto {
    return this.runner.run(ctx, body, res, () =>
      this.respond(this.networks.create(ctx.principal, body)),
    );
  }

  @Get()
  @ApiOperation({
    summary: 'List networks',
    description: 'Always includes the default network (created on first use).',
  })
  @ApiOkResponse({ type: NetworkListDto })
  @ApiProblems(400, 401)
  list(@Ctx() ctx: RequestContext, @Query() query: ListNetworksQuery): NetworkListDto {
    const page = this.networks.list(ctx.principal, query);
    const subnets = this.networks.subnets();
    return {
      items: page.items.map((row) => toNetworkDto(row, subnets)),
      nextPageToken: page.nextPageToken,
    };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a network' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: NetworkDto })
  @ApiProblems(401, 404)
  get(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): NetworkDto {
    const row = this.networks.get(ctx.principal, id);
    res.setHeader('ETag', etagHeader(networkEtag(row)));
    return toNetworkDto(row, this.networks.subnets());
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a network',
    description:
      'FAILED_PRECONDITION for the default network and for networks that still have routes.',
  })
  @ApiParam(ID_PARAM)
  @ApiIfMatch()
  @ApiOkResponse({ type: NetworkOperationDto })
  @ApiProblems(400, 401, 404, 412)
  delete(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): NetworkOperationDto {
    return this.runner.run(ctx, {}, res, () =>
      this.respond(this.networks.delete(ctx.principal, id, ctx.ifMatch)),
    );
  }

  private respond(mutation: NetworkMutation): MutationResult<NetworkOperationDto> {
    return operationResult(
      'network',
      toNetworkDto(mutation.network, this.networks.subnets()),
      networkEtag(mutation.network),
      mutation.operation,
    );
  }
}
