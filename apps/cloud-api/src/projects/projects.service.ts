import { Injectable } from '@nestjs/common';
import { alreadyExists, Clock, failedPrecondition, IdGenerator, notFound } from '@app/common';
import type { CreateProjectRequest, CreateTokenRequest } from '@app/cloud-contracts';
import { SqliteDatabase } from '@app/persistence';
import { hashToken, newTokenSecret } from '../auth/token-secret';
import { ProjectsRepository, type ProjectRow } from './projects.repository';
import { TokensRepository, type TokenRow } from './tokens.repository';

export const DEFAULT_PROJECT = 'default';

/** Projects and their tokens (admin API). Synchronous; mutations run in the caller's transaction. */
@Injectable()
export class ProjectsService {
  constructor(
    private readonly projects: ProjectsRepository,
    private readonly tokens: TokensRepository,
    private readonly db: SqliteDatabase,
    private readonly ids: IdGenerator,
    private readonly clock: Clock,
  ) {}

  create(req: CreateProjectRequest): ProjectRow {
    if (this.projects.find(req.id)) {
      throw alreadyExists(`project "${req.id}" already exists`);
    }
    const row = { id: req.id, displayName: req.displayName ?? req.id, createdAt: this.clock.now() };
    this.projects.insert(row);
    return row;
  }

  get(id: string): ProjectRow {
    const row = this.projects.find(id);
    if (!row) {
      throw notFound('project', id);
    }
    return row;
  }

  list(): ProjectRow[] {
    return this.projects.list();
  }

  /** Deletes a project, its tokens, networks and routes; one holding live instances or load balancers is refused. */
  /**
   * Deletes a project and everything that is plain configuration (networks, routes, quota
   * settings, terminated instances). Resources that hold capacity or addresses — live instances,
   * volumes, load balancers — must be deleted first, as in a real cloud.
   */
  delete(id: string, callerProjectId: string): ProjectRow {
    const row = this.get(id);
    if (id === callerProjectId) {
      throw failedPrecondition('a token cannot delete its own project');
    }
    const held = this.projects.countHeldResources(id);
    const blocking = Object.entries(held).filter(([, n]) => n > 0);
    if (blocking.length > 0) {
      const list = blocking.map(([kind, n]) => `${n} ${kind.replace(/s$/, '(s)')}`).join(', ');
      throw failedPrecondition(`project "${id}" still has ${list}; delete them first`);
    }
    this.projects.deleteWithConfiguration(id);
    return row;
  }

  createToken(projectId: string, req: CreateTokenRequest): { token: TokenRow; secret: string } {
    this.get(projectId);
    if (this.tokens.findByName(projectId, req.name)) {
      throw alreadyExists(`token "${req.name}" already exists in project ${projectId}`);
    }
    const secret = newTokenSecret();
    const token = this.insertToken(projectId, req.name, req.admin ?? false, secret);
    return { token, secret };
  }

  listTokens(projectId: string): TokenRow[] {
    this.get(projectId);
    return this.tokens.listByProject(projectId);
  }

  deleteToken(projectId: string, tokenId: string, callerTokenId: string): TokenRow {
    const token = this.tokens.findById(projectId, tokenId);
    if (!token) {
      throw notFound('token', tokenId);
    }
    if (tokenId === callerTokenId) {
      throw failedPrecondition('a token cannot revoke itself');
    }
    this.tokens.delete(projectId, tokenId);
    return token;
  }

  /**
   * Makes sure the default project and the named token exist. With a fixed secret the token is
   * (re)pointed at it; without one a secret is generated once and returned so it can be printed.
   */
  ensureBootstrapToken(name: string, admin: boolean, fixedSecret?: string): string | undefined {
    return this.db.transaction(() => {
      if (!this.projects.find(DEFAULT_PROJECT)) {
        this.projects.insert({
          id: DEFAULT_PROJECT,
          displayName: 'Default project',
          createdAt: this.clock.now(),
        });
      }
      const existing = this.tokens.findByName(DEFAULT_PROJECT, name);
      if (fixedSecret !== undefined) {
        if (!existing) {
          this.insertToken(DEFAULT_PROJECT, name, admin, fixedSecret);
        } else if (existing.tokenHash !== hashToken(fixedSecret)) {
          this.tokens.replaceHash(DEFAULT_PROJECT, name, hashToken(fixedSecret));
        }
        return undefined;
      }
      if (existing) {
        return undefined;
      }
      const secret = newTokenSecret();
      this.insertToken(DEFAULT_PROJECT, name, admin, secret);
      return secret;
    });
  }

  private insertToken(projectId: string, name: string, admin: boolean, secret: string): TokenRow {
    // A seeded sequence restarts at reset while tokens survive it: skip ids already taken.
    let id = this.ids.next('tok', 16);
    while (this.tokens.idTaken(id)) {
      id = this.ids.next('tok', 16);
    }
    const row = {
      id,
      projectId,
      name,
      admin,
      createdAt: this.clock.now(),
    };
    this.tokens.insert({ ...row, tokenHash: hashToken(secret) });
    return row;
  }
}
