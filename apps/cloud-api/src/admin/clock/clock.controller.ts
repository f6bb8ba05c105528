import { Body, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ChangeClockRequest, ClockDto } from '@app/cloud-contracts';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { AdminController } from '../admin-controller.decorator';
import { ClockAdminService } from './clock-admin.service';

@AdminController('clock')
export class ClockController {
  constructor(private readonly clock: ClockAdminService) {}

  @Get()
  @ApiOperation({ summary: 'The fake clock (admin)' })
  @ApiOkResponse({ type: ClockDto })
  @ApiProblems(401, 403)
  get(): ClockDto {
    return this.clock.view();
  }

  @Post()
  @HttpCode(200)
  @ApiOperation({
    summary: 'Freeze, set or advance the fake clock (admin)',
    description:
      'Applied in the order freeze, set, advance, unfreeze. Everything due at the new time settles before the answer. Stored: survives a restart.',
  })
  @ApiOkResponse({ type: ClockDto })
  @ApiProblems(400, 401, 403)
  change(@Body() body: ChangeClockRequest): ClockDto {
    return this.clock.change(body);
  }
}
