import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';

/**
 * Instants at or above this are parked: the transition (or operation) waits for a fault rule,
 * not for the clock. Far beyond any real clock time, so settlers never find it due.
 */
export const PARKED_AT = 8_000_000_000_000_000;

/** Resource tables by resource type (API names) and by operation target type. */
const TABLES: Record<string, string> = {
  instance: 'instances',
  volume: 'volumes',
  network: 'networks',
  route: 'routes',
  loadBalancer: 'load_balancers',
  'load-balancer': 'load_balancers',
};
const WITH_LABELS = new Set(['instances', 'volumes', 'load_balancers']);
const WITH_NEXT_STATE = new Set(['instances', 'volumes', 'load_balancers']);

export interface ResourceFacts {
  projectId: string;
  name: string;
  labels: string | null;
}

export interface ParkedAttachment {
  instanceId: string;
  projectId: string;
  state: string;
}

/**
 * The SQL faults need on other features' tables: describe a resource for matching, park and
 * resume its transition, put it in `error`, and the same for operations. Kept here so those
 * features' repositories stay unaware of faults.
 */
@Injectable()
export class FaultTargetsRepository {
  constructor(private readonly db: SqliteDatabase) {}

  describe(type: string, id: string): ResourceFacts | undefined {
    const table = TABLES[type];
    if (!table) {
      return undefined;
    }
    const labels = WITH_LABELS.has(table) ? 'labels' : 'NULL AS labels';
    return this.db.get<ResourceFacts>(
      `SELECT project_id AS projectId, name, ${labels} FROM ${table} WHERE id = ?`,
      [id],
    );
  }

  park(type: string, id: string): void {
    const table = TABLES[type];
    if (!table) {
      return;
    }
    this.db.run(
      `UPDATE ${table} SET transition_ends_at = ? WHERE id = ? AND transition_ends_at IS NOT NULL`,
      [PARKED_AT, id],
    );
    if (table === 'volumes') {
      this.db.run(
        'UPDATE volume_attachments SET transition_ends_at = ? WHERE volume_id = ? AND transition_ends_at IS NOT NULL',
        [PARKED_AT, id],
      );
    }
  }

  /** Parked transitions of the resource end at `now` (the settler then moves them on). */
  resume(type: string, id: string, now: number): void {
    const table = TABLES[type];
    if (!table) {
      return;
    }
    this.db.run(
      `UPDATE ${table} SET transition_ends_at = ? WHERE id = ? AND transition_ends_at >= ?`,
      [now, id, PARKED_AT],
    );
    if (table === 'volumes') {
      this.db.run(
        'UPDATE volume_attachments SET transition_ends_at = ? WHERE volume_id = ? AND transition_ends_at >= ?',
        [now, id, PARKED_AT],
      );
    }
  }

  /** The resource's transition failed: state `error`, no transition, new etag. */
  fail(type: string, id: string, at: number): void {
    const table = TABLES[type];
    if (!table) {
      return;
    }
    const nextState = WITH_NEXT_STATE.has(table) ? 'next_state = NULL,' : '';
    this.db.run(
      `UPDATE ${table} SET state = 'error', ${nextState} transition_ends_at = NULL, version = version + 1,
         updated_at = ? WHERE id = ?`,
      [at, id],
    );
  }

  parkedAttachments(volumeId: string): ParkedAttachment[] {
    return this.db.all<ParkedAttachment>(
      `SELECT instance_id AS instanceId, project_id AS projectId, state FROM volume_attachments
        WHERE volume_id = ? AND transition_ends_at >= ?`,
      [volumeId, PARKED_AT],
    );
  }

  /** A failed attach leaves no attachment; a failed detach leaves it attached. */
  settleFailedAttachment(volumeId: string, instanceId: string, state: string, at: number): void {
    if (state === 'attaching') {
      this.db.run('DELETE FROM volume_attachments WHERE volume_id = ? AND instance_id = ?', [
        volumeId,
        instanceId,
      ]);
    } else {
      this.db.run(
        "UPDATE volume_attachments SET state = 'attached', transition_ends_at = NULL WHERE volume_id = ? AND instance_id = ?",
        [volumeId, instanceId],
      );
    }
    this.db.run('UPDATE instances SET updated_at = ?, version = version + 1 WHERE id = ?', [
      at,
      instanceId,
    ]);
  }

  operation(id: string): { status: string; completesAt: number } | undefined {
    return this.db.get('SELECT status, completes_at AS completesAt FROM operations WHERE id = ?', [
      id,
    ]);
  }

  parkOperation(id: string): void {
    this.db.run("UPDATE operations SET completes_at = ? WHERE id = ? AND status = 'running'", [
      PARKED_AT,
      id,
    ]);
  }

  /** Every parked operation on the target completes at `now` (later ones may have joined it). */
  resumeOperations(targetId: string, now: number): void {
    this.db.run(
      "UPDATE operations SET completes_at = ? WHERE target_id = ? AND status = 'running' AND completes_at >= ?",
      [now, targetId, PARKED_AT],
    );
  }

  failOperation(id: string, error: string, at: number): void {
    this.db.run(
      "UPDATE operations SET status = 'failed', error = ?, done_at = ?, completes_at = ? WHERE id = ?",
      [error, at, at, id],
    );
  }
}
