import { Body, Controller, Delete, Get, Param, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  CreateRouteRequest,
  ListRoutesQuery,
  RouteDto,
  RouteListDto,
  RouteOperationDto,
} from '@app/cloud-contracts';
import type { Response } from 'express';
import { ApiIdempotencyKey, ApiIfMatch } from '../conventions/api-headers.decorator';
import { etagHeader } from '../conventions/etag';
import { MutationRunner, type MutationResult } from '../conventions/mutation-runner';
import { Ctx, type RequestContext } from '../conventions/request-context';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { operationResult } from '../operations/operation-result';
import { routeEtag, toRouteDto } from './route.mapper';
import { RoutesService, type RouteMutation } from './routes.service';

const NETWORK_PARAM = { name: 'networkId', example: 'net-0a1b2c3d4e5f60718' };
const ID_PARAM = { name: 'id', example: 'rt-0a1b2c3d4e5f60718' };

@ApiTags('routes')
@ApiBearerAuth()
@Controller('v1/networks/:networkId/routes')
export class RoutesController {
  constructor(
    private readonly routes: RoutesService,
    private readonly runner: MutationRunner,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a route',
    description:
      'Answers 202 with the route in state creating (200 and active when transitions are immediate). Duplicate destination → 409 ALREADY_EXISTS; more than routesPerNetwork routes → 429 QUOTA_EXCEEDED.',
  })
  @ApiParam(NETWORK_PARAM)
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({ type: RouteOperationDto })
  @ApiProblems(400, 401, 404, 409, 429)
  create(
    @Ctx() ctx: RequestContext,
    @Param('networkId') networkId: string,
    @Body() body: CreateRouteRequest,
    @Res({ passthrough: true }) res: Response,
  ): RouteOperationDto {
    return this.runner.run(ctx, body, res, () =>
      respond(this.routes.create(ctx.principal, networkId, body)),
    );
  }

  @Get()
  @ApiOperation({
    summary: 'List routes of a network',
    description: 'Filters combine with AND; paging with pageSize/pageToken.',
  })
  @ApiParam(NETWORK_PARAM)
  @ApiOkResponse({ type: RouteListDto })
  @ApiProblems(400, 401, 404)
  list(
    @Ctx() ctx: RequestContext,
    @Param('networkId') networkId: string,
    @Query() query: ListRoutesQuery,
  ): RouteListDto {
    const page = this.routes.list(ctx.principal, networkId, query);
    return { items: page.items.map(toRouteDto), nextPageToken: page.nextPageToken };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a route' })
  @ApiParam(NETWORK_PARAM)
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: RouteDto })
  @ApiProblems(401, 404)
  get(
    @Ctx() ctx: RequestContext,
    @Param('networkId') networkId: string,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): RouteDto {
    const route = this.routes.get(ctx.principal, networkId, id);
    res.setHeader('ETag', etagHeader(routeEtag(route)));
    return toRouteDto(route);
  }

  @Delete(':id')
  @ApiOperation({ summary: 'Delete a route (immediate)' })
  @ApiParam(NETWORK_PARAM)
  @ApiParam(ID_PARAM)
  @ApiIfMatch()
  @ApiOkResponse({ type: RouteOperationDto })
  @ApiProblems(401, 404, 412)
  delete(
    @Ctx() ctx: RequestContext,
    @Param('networkId') networkId: string,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): RouteOperationDto {
    return this.runner.run(ctx, {}, res, () =>
      respond(this.routes.delete(ctx.principal, networkId, id, ctx.ifMatch)),
    );
  }
}

function respond(mutation: RouteMutation): MutationResult<RouteOperationDto> {
  return operationResult(
    'route',
    toRouteDto(mutation.route),
    routeEtag(mutation.route),
    mutation.operation,
  );
}
