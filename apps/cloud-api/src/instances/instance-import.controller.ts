import { Body, Controller, Post, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ImportInstanceRequest, InstanceOperationDto } from '@app/cloud-contracts';
import type { Response } from 'express';
import { ApiIdempotencyKey } from '../conventions/api-headers.decorator';
import { MutationRunner } from '../conventions/mutation-runner';
import { Ctx, type RequestContext } from '../conventions/request-context';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { operationResult } from '../operations/operation-result';
import { InstanceImportService } from './instance-import.service';
import { instanceEtag, toInstanceDto } from './instance.mapper';

/** The collection's custom method (AIP-136 style, like `backends:add`): `POST /v1/instances:import`. */
@ApiTags('instances')
@ApiBearerAuth()
@Controller('v1')
export class InstanceImportController {
  constructor(
    private readonly imports: InstanceImportService,
    private readonly runner: MutationRunner,
  ) {}

  @Post('instances\\:import')
  @ApiOperation({
    summary: 'Import a machine that runs outside Nimbus as an instance',
    description:
      'For adopting the nodes of kind, minikube or k3s clusters: the instance is `running` at once, `imported: true`, and keeps `privateIp` even outside the network CIDR. Nimbus cannot stop, start or reboot it (400 FAILED_PRECONDITION); DELETE forgets it. Answers 200 with the instance and a done operation (`instances.import`).',
  })
  @ApiIdempotencyKey()
  @ApiOkResponse({ type: InstanceOperationDto })
  @ApiProblems(400, 401, 409, 429)
  import(
    @Ctx() ctx: RequestContext,
    @Body() body: ImportInstanceRequest,
    @Res({ passthrough: true }) res: Response,
  ): InstanceOperationDto {
    return this.runner.run(ctx, body, res, () => {
      const { instance, operation } = this.imports.import(ctx.principal, body);
      return operationResult(
        'instance',
        toInstanceDto(instance, []),
        instanceEtag(instance),
        operation,
      );
    });
  }
}
