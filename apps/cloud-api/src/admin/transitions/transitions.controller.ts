import { Body, Delete, Get, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { TransitionsDto } from '@app/cloud-contracts';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { AdminController, ApiDurationMapBody } from '../admin-controller.decorator';
import { TransitionsAdminService } from './transitions-admin.service';

@AdminController('transitions')
export class TransitionsController {
  constructor(private readonly transitions: TransitionsAdminService) {}

  @Get()
  @ApiOperation({ summary: 'Transition durations (admin)' })
  @ApiOkResponse({ type: TransitionsDto })
  @ApiProblems(401, 403)
  get(): TransitionsDto {
    return this.transitions.view();
  }

  @Put()
  @ApiOperation({
    summary: 'Override some transition durations (admin)',
    description:
      'Keys are `<resource>.<transitional state>` as listed by GET; values are milliseconds or durations such as "30s". Keys not named keep their value. Applies to transitions that start afterwards. Stored: survives a restart.',
  })
  @ApiDurationMapBody({ 'instance.pending': '30s', 'loadBalancer.provisioning': 30000 })
  @ApiOkResponse({ type: TransitionsDto })
  @ApiProblems(400, 401, 403)
  set(@Body() body: Record<string, unknown>): TransitionsDto {
    return this.transitions.set(body);
  }

  @Delete()
  @ApiOperation({ summary: 'Drop every override: back to defaults and --transition-ms (admin)' })
  @ApiOkResponse({ type: TransitionsDto })
  @ApiProblems(401, 403)
  clear(): TransitionsDto {
    return this.transitions.clear();
  }
}
