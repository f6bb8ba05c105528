import { OperationDto } from '@app/cloud-contracts';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class OperationListDto {
  @ApiProperty({ type: [OperationDto] })
  items: OperationDto[];

  @ApiPropertyOptional()
  nextPageToken?: string;
}
