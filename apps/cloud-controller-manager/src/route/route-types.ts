import type { NodeAddress } from '@app/cloud-provider';

/** core/v1 NodeCondition as the route controller writes it. */
export interface NodeCondition {
  type: string;
  status: string;
  reason?: string;
  message?: string;
  /** RFC 3339 (seconds), as metav1.Time serialises. */
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

/**
 * The part of a V1Node the route controller reads (a structural subset, so the informer's V1Node
 * fits as is). Timestamps may be Date objects when client-node deserialised them.
 */
export interface RouteNode {
  metadata?: { name?: string; uid?: string; labels?: Record<string, string> };
  spec?: { podCIDRs?: string[] };
  status?: {
    addresses?: NodeAddress[];
    conditions?: { type: string; status: string; reason?: string }[];
  };
}

/** The informer cache of Nodes (client-go's NodeLister + HasSynced). */
export interface NodeLister<N extends RouteNode = RouteNode> {
  list(): N[];
  hasSynced(): boolean;
}

/**
 * Writes one node condition through `nodes/status` (component-helpers' SetNodeCondition: a
 * strategic-merge PATCH `{"status":{"conditions":[condition]}}`, merged by `type`). Errors keep
 * their HTTP status in `code` or `statusCode` so a 409 is recognised.
 */
export interface NodeConditionWriter {
  setNodeCondition(nodeName: string, condition: NodeCondition): Promise<void>;
}

/** The recorder surface the controller needs (controller-runtime's EventRecorder fits). */
export interface RouteEventRecorder {
  event(
    object: { apiVersion?: string; kind?: string; name?: string; uid?: string },
    type: 'Normal' | 'Warning',
    reason: string,
    message: string,
  ): void;
}
