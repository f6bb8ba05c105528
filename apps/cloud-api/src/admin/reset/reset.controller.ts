import { Body, Delete, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation } from '@nestjs/swagger';
import { ResetRequest, ResetResultDto, SeedDto, SeedRequest } from '@app/cloud-contracts';
import { ApiProblems } from '../../openapi/api-problems.decorator';
import { AdminController } from '../admin-controller.decorator';
import { ResetService } from './reset.service';
import { SeedService } from './seed.service';

@AdminController()
export class ResetController {
  constructor(
    private readonly resets: ResetService,
    private readonly seeds: SeedService,
  ) {}

  @Post('reset')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Wipe resources, without a restart (admin)',
    description:
      'Deletes instances, volumes, attachments, networks, routes, load balancers, operations, idempotency keys, quota usage, address allocations (and pool cursors) and rate-limit buckets — of every project, or of `project`. Projects, tokens, quota limits, runtime settings and the clock are kept unless `projects` / `settings` ask otherwise. A whole reset restarts the seeded ID sequence, so a run after it sees the same IDs and IPs.',
  })
  @ApiOkResponse({ type: ResetResultDto })
  @ApiProblems(400, 401, 403, 404)
  reset(@Body() body: ResetRequest): ResetResultDto {
    return this.resets.reset(body);
  }

  @Get('seed')
  @ApiOperation({ summary: 'The seed of the ID sequence (admin)' })
  @ApiOkResponse({ type: SeedDto })
  @ApiProblems(401, 403)
  getSeed(): SeedDto {
    return { seed: this.seeds.seed ?? null };
  }

  @Post('seed')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Seed the ID sequence and restart it (admin)',
    description:
      'From now on IDs are deterministic. Stored: survives a restart. Combine with POST /admin/reset for the same IDs and IPs on every run.',
  })
  @ApiOkResponse({ type: SeedDto })
  @ApiProblems(400, 401, 403)
  setSeed(@Body() body: SeedRequest): SeedDto {
    this.seeds.use(body.seed);
    return { seed: body.seed };
  }

  @Delete('seed')
  @ApiOperation({ summary: 'Back to the configured seed (--seed), or random IDs (admin)' })
  @ApiOkResponse({ type: SeedDto })
  @ApiProblems(401, 403)
  clearSeed(): SeedDto {
    this.seeds.use(undefined);
    return { seed: this.seeds.seed ?? null };
  }
}
