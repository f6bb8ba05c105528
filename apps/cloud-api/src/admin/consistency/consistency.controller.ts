import { Body, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ConsistencyDto } from '@app/cloud-contracts';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { AdminController, ApiDurationMapBody } from '../admin-controller.decorator';
import { ConsistencyDelays } from './consistency-delays';

@AdminController('consistency')
export class ConsistencyController {
  constructor(private readonly delays: ConsistencyDelays) {}

  @Get()
  @ApiOperation({ summary: 'Read-after-create delays per resource type (admin)' })
  @ApiOkResponse({ type: ConsistencyDto })
  @ApiProblems(401, 403)
  get(): ConsistencyDto {
    return this.delays.view();
  }

  @Put()
  @ApiOperation({
    summary: 'Set read-after-create delays (admin)',
    description:
      'Per resource type (instance, volume, network, route, loadBalancer): for this long after its creation a resource answers 404 NOT_FOUND to GET and is missing from lists; mutations on it work. 0 turns it off. Types not named keep their delay. Stored: survives a restart.',
  })
  @ApiDurationMapBody({ instance: '2s', volume: 2000, loadBalancer: 0 })
  @ApiOkResponse({ type: ConsistencyDto })
  @ApiProblems(400, 401, 403)
  set(@Body() body: Record<string, unknown>): ConsistencyDto {
    return this.delays.set(body);
  }
}
