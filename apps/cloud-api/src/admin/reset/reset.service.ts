import { Injectable } from '@nestjs/common';
import { invalidArgument } from '@app/common';
import { CloudApiConfig } from '@app/config';
import type { ResetRequest, ResetResultDto } from '@app/cloud-contracts';
import { SqliteDatabase } from '@app/persistence';
import { DEFAULT_PROJECT, ProjectsService } from '../../projects/projects.service';
import { RuntimeSettings } from '../../settings/runtime-settings';
import { RateLimitsService } from '../rate-limits/rate-limits.service';
import { TransitionSettler } from '../../transitions/transition-settler';
import { ResetRepository, type DeletedCounts } from './reset.repository';
import { SeedService } from './seed.service';

const CLOCK_KEY = 'clock';

/**
 * Wipes resources without a restart: everything, or one project. Projects, tokens, quota limits
 * and settings stay unless asked; the default project and its bootstrap tokens always work
 * afterwards. A whole reset restarts the seeded ID sequence.
 */
@Injectable()
export class ResetService {
  constructor(
    private readonly repository: ResetRepository,
    private readonly projects: ProjectsService,
    private readonly runtime: RuntimeSettings,
    private readonly seed: SeedService,
    private readonly settler: TransitionSettler,
    private readonly rateLimits: RateLimitsService,
    private readonly db: SqliteDatabase,
    private readonly config: CloudApiConfig,
  ) {}

  reset(req: ResetRequest): ResetResultDto {
    if (req.project !== undefined) {
      for (const field of ['projects', 'settings'] as const) {
        if (req[field]) {
          throw invalidArgument(field, 'only with a whole reset (without project)');
        }
      }
    }
    const deleted = this.db.transaction((): DeletedCounts => {
      if (req.project !== undefined) {
        this.projects.get(req.project);
        return this.repository.wipeProject(req.project);
      }
      return {
        ...this.repository.wipeAll(),
        ...(req.projects ? this.repository.dropProjects(DEFAULT_PROJECT) : {}),
      };
    });
    // In-memory state that described the wiped rows.
    this.settler.invalidate();
    this.rateLimits.forgetLeases();
    if (req.project !== undefined) {
      // Other projects' resources keep IDs from the sequence: it must not restart.
      return { project: req.project, deleted };
    }
    if (req.settings) {
      this.runtime.clear([CLOCK_KEY]);
    }
    this.seed.restart();
    this.ensureBootstrapTokens();
    return { deleted, ...(this.seed.seed !== undefined ? { seed: this.seed.seed } : {}) };
  }

  /** Fixed secrets from the configuration point at their tokens again (e.g. after a restore). */
  ensureBootstrapTokens(): void {
    this.projects.ensureBootstrapToken('default', false, this.config.token);
    this.projects.ensureBootstrapToken('admin', true, this.config.adminToken);
  }
}
