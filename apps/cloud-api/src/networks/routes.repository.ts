import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import type { RouteState } from '@app/cloud-contracts';
import { earliestTransitionEnd, hasDueTransition } from '../transitions/transition-columns';

export interface RouteRow {
  seq: number;
  id: string;
  projectId: string;
  networkId: string;
  name: string;
  destinationCidr: string;
  ipFamily: number;
  rangeStart: string;
  rangeEnd: string;
  nextHopInstanceId: string;
  nextHopIp: string;
  description: string | null;
  state: RouteState;
  transitionEndsAt: number | null;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface RouteFilter {
  name?: string;
  destinationCidr?: string;
  nextHopInstanceId?: string;
  state?: string;
}

const COLUMNS = `seq, id, project_id AS projectId, network_id AS networkId, name,
  destination_cidr AS destinationCidr, ip_family AS ipFamily, range_start AS rangeStart, range_end AS rangeEnd,
  next_hop_instance_id AS nextHopInstanceId, next_hop_ip AS nextHopIp, description, state,
  transition_ends_at AS transitionEndsAt, version, created_at AS createdAt, updated_at AS updatedAt`;

@Injectable()
export class RoutesRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(row: Omit<RouteRow, 'seq'>): RouteRow {
    const result = this.db.run(
      `INSERT INTO routes (id, project_id, network_id, name, destination_cidr, ip_family, range_start, range_end,
         next_hop_instance_id, next_hop_ip, description, state, transition_ends_at, version, created_at, updated_at)
       VALUES (@id, @projectId, @networkId, @name, @destinationCidr, @ipFamily, @rangeStart, @rangeEnd,
         @nextHopInstanceId, @nextHopIp, @description, @state, @transitionEndsAt, @version, @createdAt, @updatedAt)`,
      row,
    );
    return { ...row, seq: Number(result.lastInsertRowid) };
  }

  find(networkId: string, id: string): RouteRow | undefined {
    return this.db.get<RouteRow>(`SELECT ${COLUMNS} FROM routes WHERE network_id = ? AND id = ?`, [
      networkId,
      id,
    ]);
  }

  /** Any project's route (admin out-of-band calls). */
  findById(id: string): RouteRow | undefined {
    return this.db.get<RouteRow>(`SELECT ${COLUMNS} FROM routes WHERE id = ?`, [id]);
  }

  findByDestination(networkId: string, destinationCidr: string): RouteRow | undefined {
    return this.db.get<RouteRow>(
      `SELECT ${COLUMNS} FROM routes WHERE network_id = ? AND destination_cidr = ?`,
      [networkId, destinationCidr],
    );
  }

  findByName(networkId: string, name: string): RouteRow | undefined {
    return this.db.get<RouteRow>(
      `SELECT ${COLUMNS} FROM routes WHERE network_id = ? AND name = ?`,
      [networkId, name],
    );
  }

  /** Ids of the other routes of the network whose destination range intersects this one. */
  overlapping(
    row: Pick<RouteRow, 'id' | 'networkId' | 'ipFamily' | 'rangeStart' | 'rangeEnd'>,
  ): string[] {
    return this.db
      .all<{ id: string }>(
        `SELECT id FROM routes WHERE network_id = ? AND ip_family = ? AND range_start <= ? AND range_end >= ?
           AND id <> ? ORDER BY seq`,
        [row.networkId, row.ipFamily, row.rangeEnd, row.rangeStart, row.id],
      )
      .map((r) => r.id);
  }

  countInNetwork(networkId: string): number {
    return this.db.get<{ n: number }>('SELECT COUNT(*) AS n FROM routes WHERE network_id = ?', [
      networkId,
    ])!.n;
  }

  page(networkId: string, filter: RouteFilter, after: number, limit: number): RouteRow[] {
    const where = ['network_id = @networkId', 'seq > @after'];
    if (filter.name !== undefined) {
      where.push('name = @name');
    }
    if (filter.destinationCidr !== undefined) {
      where.push('destination_cidr = @destinationCidr');
    }
    if (filter.nextHopInstanceId !== undefined) {
      where.push('next_hop_instance_id = @nextHopInstanceId');
    }
    if (filter.state !== undefined) {
      where.push('state = @state');
    }
    return this.db.all<RouteRow>(
      `SELECT ${COLUMNS} FROM routes WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`,
      { ...filter, networkId, after, limit },
    );
  }

  setState(id: string, state: RouteState, transitionEndsAt: number | null, now: number): void {
    this.db.run(
      'UPDATE routes SET state = ?, transition_ends_at = ?, updated_at = ?, version = version + 1 WHERE id = ?',
      [state, transitionEndsAt, now, id],
    );
  }

  /** Every route through the instance becomes a blackhole (ending any transition). */
  blackholeNextHop(instanceId: string, at: number): void {
    this.db.run(
      `UPDATE routes SET state = 'blackhole', transition_ends_at = NULL, updated_at = ?, version = version + 1
       WHERE next_hop_instance_id = ? AND state <> 'blackhole'`,
      [at, instanceId],
    );
  }

  /** The next-hop instance's address changed: its routes show the new one. */
  setNextHopIp(instanceId: string, ip: string, at: number): void {
    this.db.run(
      'UPDATE routes SET next_hop_ip = ?, updated_at = ?, version = version + 1 WHERE next_hop_instance_id = ?',
      [ip, at, instanceId],
    );
  }

  hasDue(now: number): boolean {
    return hasDueTransition(this.db, 'routes', now);
  }

  nextDueAt(): number | null {
    return earliestTransitionEnd(this.db, 'routes');
  }

  due(now: number): RouteRow[] {
    return this.db.all<RouteRow>(
      `SELECT ${COLUMNS} FROM routes WHERE transition_ends_at <= ? ORDER BY transition_ends_at, seq`,
      [now],
    );
  }

  delete(id: string): void {
    this.db.run('DELETE FROM routes WHERE id = ?', [id]);
  }
}
