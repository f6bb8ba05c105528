import type { KubeObject } from '../object/types';

/** The objects of a kind with no storage, computed on each GET (ComponentStatus, the metrics API). */
export interface ProbedSource {
  /** The object, or a thrown KubeError (404 when there is none). */
  get(namespace: string, name: string): Promise<KubeObject>;
  list(namespace?: string): Promise<KubeObject[]>;
}
