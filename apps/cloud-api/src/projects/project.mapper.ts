import type { ProjectDto, TokenDto } from '@app/cloud-contracts';
import type { ProjectRow } from './projects.repository';
import type { TokenRow } from './tokens.repository';

export const toProjectDto = (row: ProjectRow): ProjectDto => ({
  id: row.id,
  displayName: row.displayName,
  createdAt: new Date(row.createdAt).toISOString(),
});

export const toTokenDto = (row: TokenRow): TokenDto => ({
  id: row.id,
  projectId: row.projectId,
  name: row.name,
  admin: row.admin,
  createdAt: new Date(row.createdAt).toISOString(),
});
