import { Body, Controller, Delete, Get, Param, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import {
  CreatedTokenDto,
  CreateProjectRequest,
  CreateTokenRequest,
  ProjectDto,
  ProjectListDto,
  TokenDto,
  TokenListDto,
} from '@app/cloud-contracts';
import type { Response } from 'express';
import { AdminOnly } from '../auth/auth.decorators';
import { ApiIdempotencyKey } from '../conventions/api-headers.decorator';
import { MutationRunner } from '../conventions/mutation-runner';
import { Ctx, type RequestContext } from '../conventions/request-context';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { toProjectDto, toTokenDto } from './project.mapper';
import { ProjectsService } from './projects.service';

/** Admin API: projects and their tokens. These calls are synchronous (no operation). */
@ApiTags('projects')
@ApiBearerAuth()
@AdminOnly()
@Controller('v1/projects')
export class ProjectsController {
  constructor(
    private readonly projects: ProjectsService,
    private readonly runner: MutationRunner,
  ) {}

  @Post()
  @ApiOperation({ summary: 'Create a project (admin)' })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: ProjectDto })
  @ApiProblems(400, 401, 403, 409)
  create(
    @Ctx() ctx: RequestContext,
    @Body() body: CreateProjectRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.runner.run(ctx, body, res, () => ({
      status: 201,
      body: toProjectDto(this.projects.create(body)),
      location: `/v1/projects/${body.id}`,
    }));
  }

  @Get()
  @ApiOperation({ summary: 'List projects (admin)' })
  @ApiOkResponse({ type: ProjectListDto })
  @ApiProblems(401, 403)
  list(): ProjectListDto {
    return { items: this.projects.list().map(toProjectDto) };
  }

  @Get(':projectId')
  @ApiOperation({ summary: 'Get a project (admin)' })
  @ApiOkResponse({ type: ProjectDto })
  @ApiProblems(401, 403, 404)
  get(@Param('projectId') projectId: string): ProjectDto {
    return toProjectDto(this.projects.get(projectId));
  }

  @Delete(':projectId')
  @ApiOperation({ summary: 'Delete a project without live instances, and its tokens (admin)' })
  @ApiOkResponse({ type: ProjectDto })
  @ApiProblems(400, 401, 403, 404)
  delete(
    @Ctx() ctx: RequestContext,
    @Param('projectId') projectId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.runner.run(ctx, {}, res, () => ({
      status: 200,
      body: toProjectDto(this.projects.delete(projectId, ctx.principal.projectId)),
    }));
  }

  @Post(':projectId/tokens')
  @ApiOperation({
    summary: 'Create a token (admin)',
    description:
      'The secret is returned once and stored only as a hash; an idempotent replay omits it.',
  })
  @ApiIdempotencyKey()
  @ApiCreatedResponse({ type: CreatedTokenDto })
  @ApiProblems(400, 401, 403, 404, 409)
  createToken(
    @Ctx() ctx: RequestContext,
    @Param('projectId') projectId: string,
    @Body() body: CreateTokenRequest,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.runner.run(ctx, body, res, () => {
      const { token, secret } = this.projects.createToken(projectId, body);
      return {
        status: 201,
        body: { ...toTokenDto(token), secret },
        replayBody: toTokenDto(token) as CreatedTokenDto,
      };
    });
  }

  @Get(':projectId/tokens')
  @ApiOperation({ summary: "List a project's tokens (admin; secrets are never shown)" })
  @ApiOkResponse({ type: TokenListDto })
  @ApiProblems(401, 403, 404)
  listTokens(@Param('projectId') projectId: string): TokenListDto {
    return { items: this.projects.listTokens(projectId).map(toTokenDto) };
  }

  @Delete(':projectId/tokens/:tokenId')
  @ApiOperation({ summary: 'Revoke a token (admin)' })
  @ApiOkResponse({ type: TokenDto })
  @ApiProblems(400, 401, 403, 404)
  deleteToken(
    @Ctx() ctx: RequestContext,
    @Param('projectId') projectId: string,
    @Param('tokenId') tokenId: string,
    @Res({ passthrough: true }) res: Response,
  ) {
    return this.runner.run(ctx, {}, res, () => ({
      status: 200,
      body: toTokenDto(this.projects.deleteToken(projectId, tokenId, ctx.principal.tokenId)),
    }));
  }
}
