import { Body, Controller, Delete, Get, Param, Post, Put, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBearerAuth,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  BackendsChangeRequest,
  CreateLoadBalancerRequest,
  ListLoadBalancersQuery,
  LoadBalancerDto,
  LoadBalancerListDto,
  LoadBalancerOperationDto,
  UpdateLoadBalancerRequest,
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
import { loadBalancerEtag, toLoadBalancerDto } from './load-balancer.mapper';
import { LoadBalancersService, type LoadBalancerMutation } from './load-balancers.service';

const ID_PARAM = { name: 'id', example: 'lb-0a1b2c3d4e5f60718' };

@ApiTags('load-balancers')
@ApiBearerAuth()
@Controller('v1/load-balancers')
export class LoadBalancersController {
  constructor(
    private readonly loadBalancers: LoadBalancersService,
    private readonly runner: MutationRunner,
  ) {}

  @Post()
  @ApiOperation({
    summary: 'Create a load balancer',
    description:
      'Answers 202 with the load balancer in state provisioning and its public IPs. A requestedIp outside the pool or in use → FAILED_PRECONDITION.',
  })
  @ApiIdempotencyKey()
  @ApiAcceptedResponse({ type: LoadBalancerOperationDto })
  @ApiProblems(400, 401, 409, 429)
  create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateLoadBalancerRequest,
    @Res({ passthrough: true }) res: Response,
  ): LoadBalancerOperationDto {
    return this.runner.run(ctx, body, res, () =>
      respond(this.loadBalancers.create(ctx.principal, body)),
    );
  }

  @Get()
  @ApiOperation({
    summary: 'List load balancers',
    description: 'Filters combine with AND (a CCM finds its load balancer with name=…).',
  })
  @ApiOkResponse({ type: LoadBalancerListDto })
  @ApiProblems(400, 401)
  list(@Ctx() ctx: RequestContext, @Query() query: ListLoadBalancersQuery): LoadBalancerListDto {
    const page = this.loadBalancers.list(ctx.principal, query);
    return { items: page.items.map(toLoadBalancerDto), nextPageToken: page.nextPageToken };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a load balancer' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: LoadBalancerDto })
  @ApiProblems(401, 404)
  get(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): LoadBalancerDto {
    const lb = this.loadBalancers.get(ctx.principal, id);
    res.setHeader('ETag', etagHeader(loadBalancerEtag(lb)));
    return toLoadBalancerDto(lb);
  }

  @Put(':id')
  @ApiOperation({
    summary: 'Replace listeners, backends, health check, algorithm, affinity and source ranges',
    description:
      'Omitted optional fields take their defaults. active → updating → active; an unchanged spec answers 200 with a done operation.',
  })
  @ApiParam(ID_PARAM)
  @ApiIfMatch()
  @ApiAcceptedResponse({ type: LoadBalancerOperationDto })
  @ApiProblems(400, 401, 404, 412)
  update(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: UpdateLoadBalancerRequest,
    @Res({ passthrough: true }) res: Response,
  ): LoadBalancerOperationDto {
    return this.runner.run(ctx, body, res, () =>
      respond(this.loadBalancers.update(ctx.principal, id, body, ctx.ifMatch)),
    );
  }

  @Post(':id/backends\\:add')
  @ApiOperation({
    summary: 'Add backends',
    description: 'Instances already behind the load balancer are left as they are.',
  })
  @ApiParam(ID_PARAM)
  @ApiMutationHeaders()
  @ApiAcceptedResponse({ type: LoadBalancerOperationDto })
  @ApiProblems(400, 401, 404, 409, 412)
  addBackends(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: BackendsChangeRequest,
    @Res({ passthrough: true }) res: Response,
  ): LoadBalancerOperationDto {
    return this.runner.run(ctx, body, res, () =>
      respond(this.loadBalancers.addBackends(ctx.principal, id, body.instanceIds, ctx.ifMatch)),
    );
  }

  @Post(':id/backends\\:remove')
  @ApiOperation({
    summary: 'Remove backends',
    description: 'Ids that are not backends are ignored, so a retry is harmless.',
  })
  @ApiParam(ID_PARAM)
  @ApiMutationHeaders()
  @ApiAcceptedResponse({ type: LoadBalancerOperationDto })
  @ApiProblems(400, 401, 404, 409, 412)
  removeBackends(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Body() body: BackendsChangeRequest,
    @Res({ passthrough: true }) res: Response,
  ): LoadBalancerOperationDto {
    return this.runner.run(ctx, body, res, () =>
      respond(this.loadBalancers.removeBackends(ctx.principal, id, body.instanceIds, ctx.ifMatch)),
    );
  }

  @Delete(':id')
  @ApiOperation({
    summary: 'Delete a load balancer',
    description:
      'deleting → gone; the public IPs return to the pool when it is gone. The name stays taken until then.',
  })
  @ApiParam(ID_PARAM)
  @ApiIfMatch()
  @ApiAcceptedResponse({ type: LoadBalancerOperationDto })
  @ApiProblems(401, 404, 412)
  delete(
    @Ctx() ctx: RequestContext,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): LoadBalancerOperationDto {
    return this.runner.run(ctx, {}, res, () =>
      respond(this.loadBalancers.delete(ctx.principal, id, ctx.ifMatch)),
    );
  }
}

function respond(mutation: LoadBalancerMutation): MutationResult<LoadBalancerOperationDto> {
  return operationResult(
    'loadBalancer',
    toLoadBalancerDto(mutation.loadBalancer),
    loadBalancerEtag(mutation.loadBalancer),
    mutation.operation,
  );
}
