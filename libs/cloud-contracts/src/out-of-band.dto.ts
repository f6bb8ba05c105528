import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIP, IsOptional } from 'class-validator';

export class ChangePrivateIpRequest {
  @ApiPropertyOptional({
    description:
      "The new address, free and inside the subnet of the instance's zone; omitted: the next free one.",
    example: '10.0.0.77',
  })
  @IsOptional()
  @IsIP(4)
  privateIp?: string;
}
