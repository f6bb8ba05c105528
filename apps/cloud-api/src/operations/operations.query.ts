import { PageQueryDto } from '@app/cloud-contracts';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength } from 'class-validator';

export class ListOperationsQuery extends PageQueryDto {
  @ApiPropertyOptional({
    example: 'i-0a1b2c3d4e5f60718',
    description: 'Only operations on this resource.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  targetId?: string;
}
