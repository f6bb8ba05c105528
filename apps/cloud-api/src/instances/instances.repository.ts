import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import type { InstanceState } from '@app/cloud-contracts';
import { earliestTransitionEnd, hasDueTransition } from '../transitions/transition-columns';

export interface InstanceRow {
  seq: number;
  id: string;
  projectId: string;
  name: string;
  zone: string;
  region: string;
  instanceType: string;
  state: InstanceState;
  /** Where the current transition goes; `deleted` means the terminated record expires. */
  nextState: InstanceState | 'deleted' | null;
  transitionEndsAt: number | null;
  privateIp: string;
  publicIp: string | null;
  hostname: string;
  labels: string;
  userData: string | null;
  /** Recorded with POST /v1/instances:import (a machine Nimbus does not run). */
  imported: boolean;
  version: number;
  createdAt: number;
  updatedAt: number;
  terminatedAt: number | null;
}

export interface InstanceFilter {
  zone?: string;
  state?: string;
  name?: string;
  privateIp?: string;
}

const COLUMNS = `seq, id, project_id AS projectId, name, zone, region, instance_type AS instanceType, state,
  next_state AS nextState, transition_ends_at AS transitionEndsAt, private_ip AS privateIp, public_ip AS publicIp,
  hostname, labels, user_data AS userData, imported, version, created_at AS createdAt, updated_at AS updatedAt,
  terminated_at AS terminatedAt`;

/** SQLite stores booleans as 0/1. */
function fromDb<T extends InstanceRow | undefined>(row: T): T {
  return row ? { ...row, imported: Boolean(row.imported) } : row;
}

@Injectable()
export class InstancesRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(row: Omit<InstanceRow, 'seq'>): InstanceRow {
    const result = this.db.run(
      `INSERT INTO instances (id, project_id, name, zone, region, instance_type, state, next_state, transition_ends_at,
         private_ip, public_ip, hostname, labels, user_data, imported, version, created_at, updated_at, terminated_at)
       VALUES (@id, @projectId, @name, @zone, @region, @instanceType, @state, @nextState, @transitionEndsAt,
         @privateIp, @publicIp, @hostname, @labels, @userData, @imported, @version, @createdAt, @updatedAt, @terminatedAt)`,
      { ...row, imported: row.imported ? 1 : 0 },
    );
    return { ...row, seq: Number(result.lastInsertRowid) };
  }

  find(projectId: string, id: string): InstanceRow | undefined {
    return fromDb(
      this.db.get<InstanceRow>(`SELECT ${COLUMNS} FROM instances WHERE project_id = ? AND id = ?`, [
        projectId,
        id,
      ]),
    );
  }

  /** Any project's instance (admin out-of-band calls). */
  findById(id: string): InstanceRow | undefined {
    return fromDb(this.db.get<InstanceRow>(`SELECT ${COLUMNS} FROM instances WHERE id = ?`, [id]));
  }

  findLiveByName(projectId: string, name: string): InstanceRow | undefined {
    return fromDb(
      this.db.get<InstanceRow>(
        `SELECT ${COLUMNS} FROM instances WHERE project_id = ? AND name = ? AND state <> 'terminated'`,
        [projectId, name],
      ),
    );
  }

  findLiveByPrivateIp(projectId: string, privateIp: string): InstanceRow | undefined {
    return fromDb(
      this.db.get<InstanceRow>(
        `SELECT ${COLUMNS} FROM instances WHERE project_id = ? AND private_ip = ? AND state <> 'terminated'`,
        [projectId, privateIp],
      ),
    );
  }

  /** Rows with seq > after, in seq order, matching the SQL-expressible filters. */
  page(projectId: string, filter: InstanceFilter, after: number, limit: number): InstanceRow[] {
    const where = ['project_id = @projectId', 'seq > @after'];
    if (filter.zone !== undefined) {
      where.push('zone = @zone');
    }
    if (filter.state !== undefined) {
      where.push('state = @state');
    }
    if (filter.name !== undefined) {
      where.push('name = @name');
    }
    if (filter.privateIp !== undefined) {
      where.push('private_ip = @privateIp');
    }
    return this.db
      .all<InstanceRow>(
        `SELECT ${COLUMNS} FROM instances WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`,
        { ...filter, projectId, after, limit },
      )
      .map(fromDb);
  }

  /** Starts a transition (or sets a settled state when nextState is null); bumps the version. */
  setState(
    id: string,
    state: InstanceState,
    nextState: InstanceRow['nextState'],
    transitionEndsAt: number | null,
    now: number,
    terminatedAt: number | null = null,
  ): void {
    this.db.run(
      `UPDATE instances SET state = ?, next_state = ?, transition_ends_at = ?, updated_at = ?, version = version + 1,
         terminated_at = COALESCE(?, terminated_at) WHERE id = ?`,
      [state, nextState, transitionEndsAt, now, terminatedAt, id],
    );
  }

  setLabels(id: string, labels: string, now: number): void {
    this.db.run(
      'UPDATE instances SET labels = ?, updated_at = ?, version = version + 1 WHERE id = ?',
      [labels, now, id],
    );
  }

  setPrivateIp(id: string, privateIp: string, now: number): void {
    this.db.run(
      'UPDATE instances SET private_ip = ?, updated_at = ?, version = version + 1 WHERE id = ?',
      [privateIp, now, id],
    );
  }

  /** Bumps the version (and etag) when something the instance shows changed, e.g. its volumes. */
  touch(id: string, now: number): void {
    this.db.run('UPDATE instances SET updated_at = ?, version = version + 1 WHERE id = ?', [
      now,
      id,
    ]);
  }

  hasDue(now: number): boolean {
    return hasDueTransition(this.db, 'instances', now);
  }

  nextDueAt(): number | null {
    return earliestTransitionEnd(this.db, 'instances');
  }

  due(now: number): InstanceRow[] {
    return this.db
      .all<InstanceRow>(
        `SELECT ${COLUMNS} FROM instances WHERE transition_ends_at <= ? ORDER BY transition_ends_at, seq`,
        [now],
      )
      .map(fromDb);
  }

  delete(id: string): void {
    this.db.run('DELETE FROM instances WHERE id = ?', [id]);
  }
}
