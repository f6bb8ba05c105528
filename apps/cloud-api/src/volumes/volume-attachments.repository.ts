import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import type { AttachmentState } from '@app/cloud-contracts';
import { earliestTransitionEnd, hasDueTransition } from '../transitions/transition-columns';

export interface AttachmentRow {
  volumeId: string;
  instanceId: string;
  projectId: string;
  device: string;
  state: AttachmentState;
  transitionEndsAt: number | null;
  createdAt: number;
}

const COLUMNS = `volume_id AS volumeId, instance_id AS instanceId, project_id AS projectId, device, state,
  transition_ends_at AS transitionEndsAt, created_at AS createdAt`;

/** Volume ↔ instance attachments; the only code touching `volume_attachments`. */
@Injectable()
export class VolumeAttachmentsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(row: AttachmentRow): void {
    this.db.run(
      `INSERT INTO volume_attachments (volume_id, instance_id, project_id, device, state, transition_ends_at, created_at)
       VALUES (@volumeId, @instanceId, @projectId, @device, @state, @transitionEndsAt, @createdAt)`,
      { ...row },
    );
  }

  find(volumeId: string, instanceId: string): AttachmentRow | undefined {
    return this.db.get<AttachmentRow>(
      `SELECT ${COLUMNS} FROM volume_attachments WHERE volume_id = ? AND instance_id = ?`,
      [volumeId, instanceId],
    );
  }

  ofVolume(volumeId: string): AttachmentRow[] {
    return this.db.all<AttachmentRow>(
      `SELECT ${COLUMNS} FROM volume_attachments WHERE volume_id = ? ORDER BY created_at, rowid`,
      [volumeId],
    );
  }

  ofInstance(instanceId: string): AttachmentRow[] {
    return this.db.all<AttachmentRow>(
      `SELECT ${COLUMNS} FROM volume_attachments WHERE instance_id = ? ORDER BY length(device), device`,
      [instanceId],
    );
  }

  /** Attachments of many volumes or instances in one query (one per list page, not per row). */
  ofMany(column: 'volume' | 'instance', ids: string[]): AttachmentRow[] {
    if (ids.length === 0) {
      return [];
    }
    // json_each keeps one prepared statement for any number of ids.
    return this.db.all<AttachmentRow>(
      `SELECT ${COLUMNS} FROM volume_attachments
       WHERE ${column === 'volume' ? 'volume_id' : 'instance_id'} IN (SELECT value FROM json_each(?))
       ORDER BY created_at, rowid`,
      [JSON.stringify(ids)],
    );
  }

  setState(
    volumeId: string,
    instanceId: string,
    state: AttachmentState,
    transitionEndsAt: number | null,
  ): void {
    this.db.run(
      'UPDATE volume_attachments SET state = ?, transition_ends_at = ? WHERE volume_id = ? AND instance_id = ?',
      [state, transitionEndsAt, volumeId, instanceId],
    );
  }

  delete(volumeId: string, instanceId: string): void {
    this.db.run('DELETE FROM volume_attachments WHERE volume_id = ? AND instance_id = ?', [
      volumeId,
      instanceId,
    ]);
  }

  hasDue(now: number): boolean {
    return hasDueTransition(this.db, 'volume_attachments', now);
  }

  nextDueAt(): number | null {
    return earliestTransitionEnd(this.db, 'volume_attachments');
  }

  due(now: number): AttachmentRow[] {
    return this.db.all<AttachmentRow>(
      `SELECT ${COLUMNS} FROM volume_attachments WHERE transition_ends_at <= ? ORDER BY transition_ends_at, created_at, rowid`,
      [now],
    );
  }
}
