import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { OperationDto } from '@app/cloud-contracts';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { Ctx, type RequestContext } from '../conventions/request-context';
import { toOperationDto } from './operation.mapper';
import { ListOperationsQuery } from './operations.query';
import { OperationListDto } from './operation-list.dto';
import { OperationsService } from './operations.service';

@ApiTags('operations')
@ApiBearerAuth()
@Controller('v1/operations')
export class OperationsController {
  constructor(private readonly operations: OperationsService) {}

  @Get()
  @ApiOperation({ summary: 'List operations (newest last)' })
  @ApiOkResponse({ type: OperationListDto })
  @ApiProblems(400, 401)
  list(@Ctx() ctx: RequestContext, @Query() query: ListOperationsQuery): OperationListDto {
    const page = this.operations.list(ctx.principal.projectId, query);
    return { items: page.items.map(toOperationDto), nextPageToken: page.nextPageToken };
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an operation; poll until status is done or failed' })
  @ApiOkResponse({ type: OperationDto })
  @ApiProblems(401, 404)
  get(@Ctx() ctx: RequestContext, @Param('id') id: string): OperationDto {
    return toOperationDto(this.operations.get(ctx.principal.projectId, id));
  }
}
