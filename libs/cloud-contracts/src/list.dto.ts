import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

/** Paging parameters shared by every list endpoint. */
export class PageQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: MAX_PAGE_SIZE,
    default: DEFAULT_PAGE_SIZE,
    example: 50,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(MAX_PAGE_SIZE)
  pageSize?: number;

  @ApiPropertyOptional({
    description: 'nextPageToken of the previous page; other parameters must not change.',
  })
  @IsOptional()
  @IsString()
  @MaxLength(2048)
  pageToken?: string;
}

/** Paging plus a Kubernetes-style label selector. */
export class LabelledPageQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'Kubernetes label selector: `a=b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`, `!a`, comma-separated.',
    example: 'app=web,tier in (frontend,edge)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(4096)
  labelSelector?: string;
}
