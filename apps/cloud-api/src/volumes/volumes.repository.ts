import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import type { VolumeState } from '@app/cloud-contracts';
import { earliestTransitionEnd, hasDueTransition } from '../transitions/transition-columns';

export interface VolumeRow {
  seq: number;
  id: string;
  projectId: string;
  name: string;
  zone: string;
  region: string;
  type: string;
  sizeGiB: number;
  multiAttach: boolean;
  deleteOnTermination: boolean;
  state: VolumeState;
  /** Where the volume's own transition goes; `deleted` means the row goes. */
  nextState: 'available' | 'deleted' | null;
  transitionEndsAt: number | null;
  labels: string;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface VolumeFilter {
  zone?: string;
  state?: string;
  name?: string;
  instanceId?: string;
}

const COLUMNS = `seq, id, project_id AS projectId, name, zone, region, type, size_gib AS sizeGiB,
  multi_attach AS multiAttach, delete_on_termination AS deleteOnTermination, state, next_state AS nextState,
  transition_ends_at AS transitionEndsAt, labels, version, created_at AS createdAt, updated_at AS updatedAt`;

const FILTER_SQL: Record<keyof VolumeFilter, string> = {
  zone: 'zone = @zone',
  state: 'state = @state',
  name: 'name = @name',
  instanceId: 'id IN (SELECT volume_id FROM volume_attachments WHERE instance_id = @instanceId)',
};

/** SQLite stores booleans as 0/1. */
function fromDb(row: VolumeRow | undefined): VolumeRow | undefined {
  return row
    ? {
        ...row,
        multiAttach: Boolean(row.multiAttach),
        deleteOnTermination: Boolean(row.deleteOnTermination),
      }
    : undefined;
}

@Injectable()
export class VolumesRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(row: Omit<VolumeRow, 'seq'>): VolumeRow {
    const result = this.db.run(
      `INSERT INTO volumes (id, project_id, name, zone, region, type, size_gib, multi_attach, delete_on_termination,
         state, next_state, transition_ends_at, labels, version, created_at, updated_at)
       VALUES (@id, @projectId, @name, @zone, @region, @type, @sizeGiB, @multiAttach, @deleteOnTermination,
         @state, @nextState, @transitionEndsAt, @labels, @version, @createdAt, @updatedAt)`,
      {
        ...row,
        multiAttach: row.multiAttach ? 1 : 0,
        deleteOnTermination: row.deleteOnTermination ? 1 : 0,
      },
    );
    return { ...row, seq: Number(result.lastInsertRowid) };
  }

  find(projectId: string, id: string): VolumeRow | undefined {
    return fromDb(
      this.db.get<VolumeRow>(`SELECT ${COLUMNS} FROM volumes WHERE project_id = ? AND id = ?`, [
        projectId,
        id,
      ]),
    );
  }

  findLiveByName(projectId: string, name: string): VolumeRow | undefined {
    return fromDb(
      this.db.get<VolumeRow>(
        `SELECT ${COLUMNS} FROM volumes WHERE project_id = ? AND name = ? AND state <> 'deleting'`,
        [projectId, name],
      ),
    );
  }

  /** Rows with seq > after, in seq order, matching the SQL-expressible filters. */
  page(projectId: string, filter: VolumeFilter, after: number, limit: number): VolumeRow[] {
    const where = ['project_id = @projectId', 'seq > @after'];
    for (const key of Object.keys(FILTER_SQL) as (keyof VolumeFilter)[]) {
      if (filter[key] !== undefined) {
        where.push(FILTER_SQL[key]);
      }
    }
    return this.db
      .all<VolumeRow>(
        `SELECT ${COLUMNS} FROM volumes WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`,
        { ...filter, projectId, after, limit },
      )
      .map((row) => fromDb(row)!);
  }

  /** Sets the state (starting a transition when nextState is set); bumps the version. */
  setState(
    id: string,
    state: VolumeState,
    nextState: VolumeRow['nextState'],
    transitionEndsAt: number | null,
    now: number,
  ): void {
    this.db.run(
      `UPDATE volumes SET state = ?, next_state = ?, transition_ends_at = ?, updated_at = ?, version = version + 1
       WHERE id = ?`,
      [state, nextState, transitionEndsAt, now, id],
    );
  }

  setLabels(id: string, labels: string, now: number): void {
    this.db.run(
      'UPDATE volumes SET labels = ?, updated_at = ?, version = version + 1 WHERE id = ?',
      [labels, now, id],
    );
  }

  setSize(id: string, sizeGiB: number, now: number): void {
    this.db.run(
      'UPDATE volumes SET size_gib = ?, updated_at = ?, version = version + 1 WHERE id = ?',
      [sizeGiB, now, id],
    );
  }

  hasDue(now: number): boolean {
    return hasDueTransition(this.db, 'volumes', now);
  }

  nextDueAt(): number | null {
    return earliestTransitionEnd(this.db, 'volumes');
  }

  due(now: number): VolumeRow[] {
    return this.db
      .all<VolumeRow>(
        `SELECT ${COLUMNS} FROM volumes WHERE transition_ends_at <= ? ORDER BY transition_ends_at, seq`,
        [now],
      )
      .map((row) => fromDb(row)!);
  }

  delete(id: string): void {
    this.db.run('DELETE FROM volumes WHERE id = ?', [id]);
  }
}
