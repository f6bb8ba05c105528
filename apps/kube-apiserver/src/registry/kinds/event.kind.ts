import type { KubeObject } from '../../object/types';
import { defineKind } from '../define-kind';
import { NAME_COLUMN, column, wide } from '../../tables/columns';
import { getPath, getString, text } from '../object-path';
import { age } from '../../time/kube-time';
import { validateName } from '../validation';

const involved = (field: string) => (o: KubeObject) => getString(o, `involvedObject.${field}`);

function lastSeen(o: KubeObject, now: number): string {
  const ts =
    getString(o, 'lastTimestamp') ??
    getString(o, 'deprecatedLastTimestamp') ??
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

/** Field renames between core/v1 Event (left) and events.k8s.io/v1 Event (right). */
const RENAMES: [string, string][] = [
  ['involvedObject', 'regarding'],
  ['message', 'note'],
  ['reportingComponent', 'reportingController'],
  ['source', 'deprecatedSource'],
  ['firstTimestamp', 'deprecatedFirstTimestamp'],
  ['lastTimestamp', 'deprecatedLastTimestamp'],
  ['count', 'deprecatedCount'],
];

function rename(obj: KubeObject, pairs: [string, string][], apiVersion: string): KubeObject {
  const out: KubeObject = { ...obj, apiVersion, kind: 'Event', metadata: { ...obj.metadata } };
  for (const [from, to] of pairs) {
    delete out[from];
    if (obj[from] !== undefined) {
      out[to] = obj[from];
    }
  }
  return out;
}

/**
 * events.k8s.io/v1 Event: a view of core/v1 Events, as upstream (one storage, two shapes), so
 * `kubectl describe` shows events written through either API.
 */
export const eventsV1Kind = defineKind({
  group: 'events.k8s.io',
  version: 'v1',
  resource: 'events',
  kind: 'Event',
  scope: 'Namespaced',
  deleteReturnsStatus: true,
  microTimeKeys: ['eventTime', 'lastObservedTime'],
  view: {
    storage: eventKind,
    toStorage: (obj) =>
      rename(
        obj,
        RENAMES.map(([core, external]) => [external, core]),
        'v1',
      ),
    fromStorage: (obj) => rename(obj, RENAMES, 'events.k8s.io/v1'),
  },
  fieldSelectors: {
    'regarding.kind': (o) => getString(o, 'regarding.kind'),
    'regarding.name': (o) => getString(o, 'regarding.name'),
    'regarding.namespace': (o) => getString(o, 'regarding.namespace'),
    'regarding.uid': (o) => getString(o, 'regarding.uid'),
    reason: (o) => getString(o, 'reason'),
    type: (o) => getString(o, 'type'),
  },
  columns: [
    column('Last Seen', lastSeen),
    column('Type', (o) => getString(o, 'type')),
    column('Reason', (o) => getString(o, 'reason')),
    column(
      'Object',
      (o) =>
        `${(getString(o, 'regarding.kind') ?? '').toLowerCase()}/${getString(o, 'regarding.name') ?? ''}`,
    ),
    column('Message', (o) => getString(o, 'note')),
  ],
  validate: (obj) => validateName(obj.metadata.name, 'subdomain'),
});
