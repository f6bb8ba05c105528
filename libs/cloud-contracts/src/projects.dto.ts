import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsResourceName } from './validation/names';

export class CreateProjectRequest {
  @ApiProperty({
    example: 'team-a',
    description: 'Project id: a DNS-1123 label; appears in provider IDs.',
  })
  @IsResourceName()
  id: string;

  @ApiPropertyOptional({ example: 'Team A' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  displayName?: string;
}

export class ProjectDto {
  @ApiProperty({ example: 'default' })
  id: string;

  @ApiProperty({ example: 'Default project' })
  displayName: string;

  @ApiProperty({ example: '2026-11-26T20:00:00.000Z' })
  createdAt: string;
}

export class ProjectListDto {
  @ApiProperty({ type: [ProjectDto] })
  items: ProjectDto[];

  @ApiPropertyOptional()
  nextPageToken?: string;
}

export class CreateTokenRequest {
  @ApiProperty({
    example: 'ci',
    description: 'Token name, unique in the project (DNS-1123 label).',
  })
  @IsResourceName()
  name: string;

  @ApiPropertyOptional({ example: false, description: 'Admin tokens manage projects and tokens.' })
  @IsOptional()
  @IsBoolean()
  admin?: boolean;
}

export class TokenDto {
  @ApiProperty({ example: 'tok-8c1d2e3f4a5b6c7d' })
  id: string;

  @ApiProperty({ example: 'default' })
  projectId: string;

  @ApiProperty({ example: 'ci' })
  name: string;

  @ApiProperty({ example: false })
  admin: boolean;

  @ApiProperty({ example: '2026-11-26T20:00:00.000Z' })
  createdAt: string;
}

/** Returned once, at creation: the secret is stored only as a hash. */
export class CreatedTokenDto extends TokenDto {
  @ApiProperty({ example: 'nmb_7Hq2xR0c…', description: 'The bearer token. Shown only once.' })
  secret: string;
}

export class TokenListDto {
  @ApiProperty({ type: [TokenDto] })
  items: TokenDto[];

  @ApiPropertyOptional()
  nextPageToken?: string;
}
