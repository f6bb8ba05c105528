import { Body, Controller, Delete, Get, HttpCode, Param, Post, Res } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import { CreateFaultRuleRequest, FaultRuleDto, FaultRuleListDto } from '@app/cloud-contracts';
import type { Response } from 'express';
import { AdminOnly } from '../auth/auth.decorators';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { toFaultRuleDto } from './fault-rule.mapper';
import { FaultRulesService } from './fault-rules.service';

const ID_PARAM = { name: 'id', example: 'fault-0a1b2c3d4e5f6071' };

const EXAMPLES = {
  commitThenFail: {
    summary: 'CreateRoute commits, then answers 503 once',
    value: {
      description: 'route created, client sees 503',
      match: { operation: 'routes.create' },
      trigger: { firstCalls: 1 },
      effect: { type: 'commitThenFail', status: 503, retryAfterSeconds: 1 },
    },
  },
  error: {
    summary: '30% of instance calls of one cluster fail (seeded)',
    value: {
      match: { operation: 'instances.*', labels: { 'kubernetes.io/cluster': 'ci' } },
      trigger: { probability: 0.3, seed: '42' },
      effect: { type: 'error', status: 503, code: 'UNAVAILABLE', retryAfterSeconds: 2 },
    },
  },
  latency: {
    summary: 'Load balancer updates take 100-500 ms longer',
    value: {
      match: { operation: 'loadBalancers.update' },
      effect: { type: 'latency', distribution: 'uniform', minMs: 100, maxMs: 500 },
    },
  },
  stuck: {
    summary: 'Instance web-1 stays pending until the rule is deleted',
    value: {
      match: { operation: 'instances.create', resourceName: 'web-1' },
      effect: { type: 'stuckOperation' },
    },
  },
  failed: {
    summary: 'The 2nd volume attach fails; the volume goes to error',
    value: {
      match: { operation: 'volumes.attach' },
      trigger: { nthCall: 2 },
      effect: { type: 'failedOperation', code: 'INTERNAL', message: 'attach failed' },
    },
  },
};

@ApiTags('admin')
@ApiBearerAuth()
@AdminOnly()
@Controller('admin/faults')
export class AdminFaultsController {
  constructor(private readonly faults: FaultRulesService) {}

  @Post()
  @ApiOperation({
    summary: 'Add a fault rule (admin)',
    description:
      'Rules apply to /v1 calls in creation order; the first rule that matches and fires decides. match: every given field must hold (globs with * and ?). trigger: probability (seeded), nthCall, firstCalls or every call, optionally within a clock-time window. effect: error, latency, hang, resetConnection, commitThenFail, stuckOperation, failedOperation. Faulted calls carry the rule id in the audit log (faultRuleId) and in injected problems (injectedFaultId).',
  })
  @ApiBody({ type: CreateFaultRuleRequest, examples: EXAMPLES })
  @ApiCreatedResponse({ type: FaultRuleDto })
  @ApiProblems(400, 401, 403)
  create(
    @Body() body: CreateFaultRuleRequest,
    @Res({ passthrough: true }) res: Response,
  ): FaultRuleDto {
    const rule = toFaultRuleDto(this.faults.create(body));
    res.status(201).setHeader('Location', `/admin/faults/${rule.id}`);
    return rule;
  }

  @Get()
  @ApiOperation({ summary: 'List fault rules with their counters (admin)' })
  @ApiOkResponse({ type: FaultRuleListDto })
  @ApiProblems(401, 403)
  list(): FaultRuleListDto {
    return { items: this.faults.list().map(toFaultRuleDto) };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get a fault rule with its counters (admin)' })
  @ApiParam(ID_PARAM)
  @ApiOkResponse({ type: FaultRuleDto })
  @ApiProblems(401, 403, 404)
  get(@Param('id') id: string): FaultRuleDto {
    return toFaultRuleDto(this.faults.get(id));
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Delete a fault rule (admin)',
    description: 'Operations it holds stuck end now (their transitions settle at this instant).',
  })
  @ApiParam(ID_PARAM)
  @ApiNoContentResponse({ description: 'Deleted' })
  @ApiProblems(401, 403, 404)
  delete(@Param('id') id: string): void {
    this.faults.delete(id);
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete every fault rule (admin)' })
  @ApiNoContentResponse({ description: 'All deleted' })
  @ApiProblems(401, 403)
  deleteAll(): void {
    this.faults.deleteAll();
  }
}
