import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { QuotaListDto } from '@app/cloud-contracts';
import { Ctx, type RequestContext } from '../conventions/request-context';
import { ApiProblems } from '../openapi/api-problems.decorator';
import { QuotasService } from './quotas.service';

@ApiTags('quotas')
@ApiBearerAuth()
@Controller('v1/quotas')
export class QuotasController {
  constructor(private readonly quotas: QuotasService) {}

  @Get()
  @ApiOperation({ summary: "The project's quota limits and usage" })
  @ApiOkResponse({ type: QuotaListDto })
  @ApiProblems(401)
  list(@Ctx() ctx: RequestContext): QuotaListDto {
    return { items: this.quotas.list(ctx.principal.projectId) };
  }
}
