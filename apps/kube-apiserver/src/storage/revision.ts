import type { KubeObject } from '../object/types';

export type WriteType = 'ADDED' | 'MODIFIED' | 'DELETED';

/** One entry of the revisioned log, as kept in memory for watch replay. */
export interface Revision {
  rv: number;
  type: WriteType;
  typeKey: string;
  namespace: string;
  name: string;
  createdAt: number;
  json: string;
  /** The state before this write (absent for ADDED and after a restart). */
  prevJson?: string;
}

/** A committed write as delivered live to watchers: parsed objects included. */
export interface CommittedWrite {
  revision: Revision;
  object: KubeObject;
  previous?: KubeObject;
}

/** A live object: its parsed form (never mutated) and its exact JSON. */
export interface StoredObject {
  namespace: string;
  name: string;
  rv: number;
  object: KubeObject;
  json: string;
}
