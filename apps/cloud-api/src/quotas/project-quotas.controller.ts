import { Body, Controller, Get, Param, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiParam, ApiTags } from '@nestjs/swagger';
import { QuotaListDto, SetQuotaLimitsRequest } from '@app/cloud-contracts';
import type { Response } from 'express';
import { AdminOnly } from '../auth/auth.decorators';
import { MutationRunner } from '../conventions/mutation-runner';
import { Ctx, type RequestContext } from '../conventions/request-context';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { ProjectsService } from '../projects/projects.service';
import { QuotasService } from './quotas.service';

const PROJECT_PARAM = { name: 'projectId', example: 'team-a' };

/** Admin API: any project's quota limits. Synchronous (no operation). */
@ApiTags('quotas')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/projects/:projectId/quotas')
export class ProjectQuotasController {
  constructor(
    private readonly quotas: QuotasService,
    private readonly projects: ProjectsService,
    private readonly runner: MutationRunner,
  ) {}

  @Get()
  @ApiOperation({ summary: "A project's quota limits and usage (admin)" })
  @ApiParam(PROJECT_PARAM)
  @ApiOkResponse({ type: QuotaListDto })
  @ApiProblems(401, 403, 404)
  list(@Param('projectId') projectId: string): QuotaListDto {
    this.projects.get(projectId);
    return { items: this.quotas.list(projectId) };
  }

  @Put()
  @ApiOperation({
    summary: "Set some of a project's quota limits (admin)",
    description:
      'Named metrics get the new limit; others keep theirs. A limit below the current usage blocks new consumption but removes nothing.',
  })
  @ApiParam(PROJECT_PARAM)
  @ApiOkResponse({ type: QuotaListDto })
  @ApiProblems(400, 401, 403, 404)
  set(
    @Ctx() ctx: RequestContext,
    @Param('projectId') projectId: string,
    @Body() body: SetQuotaLimitsRequest,
    @Res({ passthrough: true }) res: Response,
  ): QuotaListDto {
    return this.runner.run(ctx, body, res, () => {
      this.projects.get(projectId);
      this.quotas.setLimits(projectId, body.limits);
      return { status: 200, body: { items: this.quotas.list(projectId) } };
    });
  }
}
