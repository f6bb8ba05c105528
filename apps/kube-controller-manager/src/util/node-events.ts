import { EventType, type EventRecorder } from '@app/controller-runtime';
import type { NodeObject } from '@app/kube-client';

/** upstream RecordNodeEvent: `Node <name> event: <message>`. */
export function recordNodeEvent(
  recorder: EventRecorder,
  node: NodeObject,
  reason: string,
  message: string,
): void {
  const name = node.metadata?.name ?? '';
  recorder.event(
    { apiVersion: 'v1', kind: 'Node', name, uid: node.metadata?.uid },
    EventType.Normal,
    reason,
    `Node ${name} event: ${message}`,
  );
}

/** upstream RecordNodeStatusChange: `Node <name> status is now: <status>`. */
export function recordNodeStatusChange(
  recorder: EventRecorder,
  node: NodeObject,
  status: string,
): void {
  const name = node.metadata?.name ?? '';
  recorder.event(
    { apiVersion: 'v1', kind: 'Node', name, uid: node.metadata?.uid },
    EventType.Normal,
    status,
    `Node ${name} status is now: ${status}`,
  );
}
