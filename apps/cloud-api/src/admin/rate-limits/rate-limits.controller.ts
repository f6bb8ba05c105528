import { Body, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { RateLimitsDto, SetRateLimitsRequest } from '@app/cloud-contracts';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { AdminController } from '../admin-controller.decorator';
import { RateLimitsService } from './rate-limits.service';

@AdminController('rate-limits')
export class RateLimitsController {
  constructor(private readonly limits: RateLimitsService) {}

  @Get()
  @ApiOperation({ summary: 'Rate limits per operation class (admin)' })
  @ApiOkResponse({ type: RateLimitsDto })
  @ApiProblems(401, 403)
  get(): RateLimitsDto {
    return this.limits.view();
  }

  @Put()
  @ApiOperation({
    summary: 'Change rate limits (admin)',
    description:
      'Token buckets per project and class (reads, mutations, instanceCreates), refilled by the fake clock. Classes not named keep their limits; every bucket starts full again. Stored: survives a restart and applies to every process on the database.',
  })
  @ApiOkResponse({ type: RateLimitsDto })
  @ApiProblems(400, 401, 403)
  set(@Body() body: SetRateLimitsRequest): RateLimitsDto {
    return this.limits.set(body);
  }
}
