import type { KubeObject } from '../../api/types';
import { defineKind } from '../define-kind';
import { AGE_COLUMN, NAME_COLUMN, column, wide } from '../../tables/columns';
import { getPath, getString, text } from '../object-path';
import { age } from '../../time/kube-time';
import { validateName } from '../validation';

const involved = (field: string) => (o: KubeObject) => getString(o, `involvedObject.${field}`);

function lastSeen(o: KubeObject, now: number): string {
  const ts =
    getString(o, 'lastTimestamp') ??
    getString(o, 'series.lastObservedTime') ??
    getString(o, 'eventTime');
  return age(ts ?? o.metadata.creationTimestamp, now);
}

/** core/v1 Event: what `kubectl describe` and `kubectl events` read. */
export const eventKind = defineKind({
  group: '',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  scope: 'Namespaced',
  shortNames: ['ev'],
  deleteReturnsStatus: true,
  microTimeKeys: ['eventTime', 'lastObservedTime'],
  fieldSelectors: {
    'involvedObject.kind': involved('kind'),
    'involvedObject.namespace': involved('namespace'),
    'involvedObject.name': involved('name'),
    'involvedObject.uid': involved('uid'),
    'involvedObject.apiVersion': involved('apiVersion'),
    'involvedObject.resourceVersion': involved('resourceVersion'),
    'involvedObject.fieldPath': involved('fieldPath'),
    reason: (o) => getString(o, 'reason'),
    reportingComponent: (o) => getString(o, 'reportingComponent'),
    source: (o) => getString(o, 'source.component'),
    type: (o) => getString(o, 'type'),
  },
  columns: [
    column('Last Seen', lastSeen),
    column('Type', (o) => getString(o, 'type')),
    column('Reason', (o) => getString(o, 'reason')),
    column(
      'Object',
      (o) =>
        `${(getString(o, 'involvedObject.kind') ?? '').toLowerCase()}/${getString(o, 'involvedObject.name') ?? ''}`,
    ),
    column('Message', (o) => getString(o, 'message')),
    wide('Subobject', (o) => getString(o, 'involvedObject.fieldPath') ?? ''),
    wide('Source', (o) =>
      [getString(o, 'source.component'), getString(o, 'source.host')].filter(Boolean).join(', '),
    ),
    wide('First Seen', (o, now) =>
      age(getString(o, 'firstTimestamp') ?? getString(o, 'eventTime'), now),
    ),
    wide('Count', (o) => text(getPath(o, 'count') ?? 1)),
    { ...NAME_COLUMN, priority: 1 },
  ],
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});

/** events.k8s.io/v1 Event: stored separately (no shared storage with core events here). */
export const eventsV1Kind = defineKind({
  group: 'events.k8s.io',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  scope: 'Namespaced',
  deleteReturnsStatus: true,
  microTimeKeys: ['eventTime', 'lastObservedTime'],
  fieldSelectors: {
    'regarding.kind': (o) => getString(o, 'regarding.kind'),
    'regarding.name': (o) => getString(o, 'regarding.name'),
    'regarding.namespace': (o) => getString(o, 'regarding.namespace'),
    'regarding.uid': (o) => getString(o, 'regarding.uid'),
    reason: (o) => getString(o, 'reason'),
    type: (o) => getString(o, 'type'),
  },
  columns: [NAME_COLUMN, AGE_COLUMN],
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});
