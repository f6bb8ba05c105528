import { defineKind } from '../define-kind';
import { NAME_COLUMN, column } from '../../tables/columns';
import type { KubeObject } from '../../object/types';

interface ComponentCondition {
  type?: string;
  status?: string;
  message?: string;
  error?: string;
}

/** printComponentStatus: the Healthy condition as Healthy / Unhealthy, its message and error. */
function healthy(o: KubeObject): ComponentCondition | undefined {
  const conditions = (o as { conditions?: ComponentCondition[] }).conditions ?? [];
  return conditions.find((c) => c.type === 'Healthy');
}

/**
 * v1 ComponentStatus (`kubectl get cs`): nothing stored; each GET probes the scheduler, the
 * controller-manager and the storage (server/component-statuses.ts). Deprecated since 1.19 and
 * still served, with the Warning header upstream sends.
 */
export const componentStatusKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'componentstatuses',
  kind: 'ComponentStatus',
  scope: 'Cluster',
  shortNames: ['cs'],
  probed: true,
  verbs: ['get', 'list'],
  warning: 'v1 ComponentStatus is deprecated in v1.19+',
  columns: [
    NAME_COLUMN,
    column(
      'Status',
      (o) => {
        const c = healthy(o);
        return c ? (c.status === 'True' ? 'Healthy' : 'Unhealthy') : 'Unknown';
      },
      { description: 'Status of the component conditions' },
    ),
    column('Message', (o) => healthy(o)?.message ?? '', {
      description: 'Message of the component conditions',
    }),
    column('Error', (o) => healthy(o)?.error ?? '', {
      description: 'Error of the component conditions',
    }),
  ],
});
