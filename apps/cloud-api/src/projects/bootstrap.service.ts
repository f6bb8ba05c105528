import { Injectable, type OnModuleInit } from '@nestjs/common';
import { CloudApiConfig } from '@app/config';
import { ProjectsService } from './projects.service';

export interface GeneratedTokens {
  token?: string;
  adminToken?: string;
}

/**
 * First start: the default project with a project token and an admin token. Fixed secrets come
 * from config (NIMBUS_TOKEN / NIMBUS_ADMIN_TOKEN); otherwise they are generated once and kept here
 * so the start-up banner can print them (they are stored only as hashes).
 */
@Injectable()
export class BootstrapService implements OnModuleInit {
  generated: GeneratedTokens = {};

  constructor(
    private readonly projects: ProjectsService,
    private readonly config: CloudApiConfig,
  ) {}

  onModuleInit(): void {
    this.generated = {
      token: this.projects.ensureBootstrapToken('default', false, this.config.token),
      adminToken: this.projects.ensureBootstrapToken('admin', true, this.config.adminToken),
    };
  }
}
