import { Injectable } from '@nestjs/common';
import { SqliteDatabase } from '@app/persistence';
import type { LoadBalancerState } from '@app/cloud-contracts';
import { earliestTransitionEnd, hasDueTransition } from '../transitions/transition-columns';

export interface LoadBalancerRow {
  seq: number;
  id: string;
  projectId: string;
  name: string;
  region: string;
  state: LoadBalancerState;
  /** Where the current transition goes; `deleted` removes the load balancer. */
  nextState: 'active' | 'deleted' | null;
  transitionEndsAt: number | null;
  spec: string;
  ipFamilies: string;
  publicIpv4: string | null;
  publicIpv6: string | null;
  labels: string;
  version: number;
  createdAt: number;
  updatedAt: number;
}

export interface BackendRow {
  instanceId: string;
  instanceIp: string;
  /** The instance was imported (a machine outside Nimbus): its private IP is a real address. */
  imported?: boolean;
}

export type LoadBalancerRevision = Pick<LoadBalancerRow, 'id' | 'state' | 'version' | 'updatedAt'>;

export interface LoadBalancerFilter {
  name?: string;
  region?: string;
  state?: string;
}

const COLUMNS = `seq, id, project_id AS projectId, name, region, state, next_state AS nextState,
  transition_ends_at AS transitionEndsAt, spec, ip_families AS ipFamilies, public_ipv4 AS publicIpv4,
  public_ipv6 AS publicIpv6, labels, version, created_at AS createdAt, updated_at AS updatedAt`;

@Injectable()
export class LoadBalancersRepository {
  constructor(private readonly db: SqliteDatabase) {}

  insert(row: Omit<LoadBalancerRow, 'seq'>): LoadBalancerRow {
    const result = this.db.run(
      `INSERT INTO load_balancers (id, project_id, name, region, state, next_state, transition_ends_at, spec,
         ip_families, public_ipv4, public_ipv6, labels, version, created_at, updated_at)
       VALUES (@id, @projectId, @name, @region, @state, @nextState, @transitionEndsAt, @spec,
         @ipFamilies, @publicIpv4, @publicIpv6, @labels, @version, @createdAt, @updatedAt)`,
      row,
    );
    return { ...row, seq: Number(result.lastInsertRowid) };
  }

  find(projectId: string, id: string): LoadBalancerRow | undefined {
    return this.db.get<LoadBalancerRow>(
      `SELECT ${COLUMNS} FROM load_balancers WHERE project_id = ? AND id = ?`,
      [projectId, id],
    );
  }

  /** Any project's load balancer (admin out-of-band calls). */
  findById(id: string): LoadBalancerRow | undefined {
    return this.db.get<LoadBalancerRow>(`SELECT ${COLUMNS} FROM load_balancers WHERE id = ?`, [id]);
  }

  /** Every load balancer's id, state and change marks (what the data plane compares). */
  revisions(): LoadBalancerRevision[] {
    return this.db.all<LoadBalancerRevision>(
      'SELECT id, state, version, updated_at AS updatedAt FROM load_balancers ORDER BY seq',
    );
  }

  findByName(projectId: string, name: string): LoadBalancerRow | undefined {
    return this.db.get<LoadBalancerRow>(
      `SELECT ${COLUMNS} FROM load_balancers WHERE project_id = ? AND name = ?`,
      [projectId, name],
    );
  }

  page(
    projectId: string,
    filter: LoadBalancerFilter,
    after: number,
    limit: number,
  ): LoadBalancerRow[] {
    const where = ['project_id = @projectId', 'seq > @after'];
    for (const column of ['name', 'region', 'state'] as const) {
      if (filter[column] !== undefined) {
        where.push(`${column} = @${column}`);
      }
    }
    return this.db.all<LoadBalancerRow>(
      `SELECT ${COLUMNS} FROM load_balancers WHERE ${where.join(' AND ')} ORDER BY seq LIMIT @limit`,
      { ...filter, projectId, after, limit },
    );
  }

  /** Sets the state (and transition) and bumps the version. */
  setState(
    id: string,
    state: LoadBalancerState,
    nextState: LoadBalancerRow['nextState'],
    transitionEndsAt: number | null,
    now: number,
  ): void {
    this.db.run(
      `UPDATE load_balancers SET state = ?, next_state = ?, transition_ends_at = ?, updated_at = ?,
         version = version + 1 WHERE id = ?`,
      [state, nextState, transitionEndsAt, now, id],
    );
  }

  setSpec(id: string, spec: string): void {
    this.db.run('UPDATE load_balancers SET spec = ? WHERE id = ?', [spec, id]);
  }

  touch(id: string, now: number): void {
    this.db.run('UPDATE load_balancers SET updated_at = ?, version = version + 1 WHERE id = ?', [
      now,
      id,
    ]);
  }

  backends(loadBalancerId: string): BackendRow[] {
    return this.db
      .all<BackendRow>(
        `SELECT b.instance_id AS instanceId, b.instance_ip AS instanceIp, i.imported AS imported
         FROM load_balancer_backends b LEFT JOIN instances i ON i.id = b.instance_id
         WHERE b.load_balancer_id = ? ORDER BY b.position`,
        [loadBalancerId],
      )
      .map((b) => ({
        instanceId: b.instanceId,
        instanceIp: b.instanceIp,
        imported: Boolean(b.imported),
      }));
  }

  /** Appends backends after the existing ones. */
  addBackends(loadBalancerId: string, backends: BackendRow[]): void {
    const last =
      this.db.get<{ p: number | null }>(
        'SELECT MAX(position) AS p FROM load_balancer_backends WHERE load_balancer_id = ?',
        [loadBalancerId],
      )?.p ?? -1;
    backends.forEach((b, i) =>
      this.db.run(
        'INSERT INTO load_balancer_backends (load_balancer_id, instance_id, instance_ip, position) VALUES (?, ?, ?, ?)',
        [loadBalancerId, b.instanceId, b.instanceIp, last + 1 + i],
      ),
    );
  }

  removeBackends(loadBalancerId: string, instanceIds: string[]): void {
    for (const instanceId of instanceIds) {
      this.db.run(
        'DELETE FROM load_balancer_backends WHERE load_balancer_id = ? AND instance_id = ?',
        [loadBalancerId, instanceId],
      );
    }
  }

  clearBackends(loadBalancerId: string): void {
    this.db.run('DELETE FROM load_balancer_backends WHERE load_balancer_id = ?', [loadBalancerId]);
  }

  /** The instance's address changed: its backends follow; answers the load balancers concerned. */
  setBackendIp(instanceId: string, instanceIp: string): string[] {
    return this.db
      .all<{ id: string }>(
        'UPDATE load_balancer_backends SET instance_ip = ? WHERE instance_id = ? RETURNING load_balancer_id AS id',
        [instanceIp, instanceId],
      )
      .map((r) => r.id);
  }

  /** Removes the instance from every load balancer; answers the ids of those it was behind. */
  dropInstance(instanceId: string): string[] {
    const ids = this.db
      .all<{ id: string }>(
        'SELECT load_balancer_id AS id FROM load_balancer_backends WHERE instance_id = ?',
        [instanceId],
      )
      .map((r) => r.id);
    this.db.run('DELETE FROM load_balancer_backends WHERE instance_id = ?', [instanceId]);
    return ids;
  }

  hasDue(now: number): boolean {
    return hasDueTransition(this.db, 'load_balancers', now);
  }

  nextDueAt(): number | null {
    return earliestTransitionEnd(this.db, 'load_balancers');
  }

  due(now: number): LoadBalancerRow[] {
    return this.db.all<LoadBalancerRow>(
      `SELECT ${COLUMNS} FROM load_balancers WHERE transition_ends_at <= ? ORDER BY transition_ends_at, seq`,
      [now],
    );
  }

  delete(id: string): void {
    this.clearBackends(id);
    this.db.run('DELETE FROM load_balancers WHERE id = ?', [id]);
  }
}
