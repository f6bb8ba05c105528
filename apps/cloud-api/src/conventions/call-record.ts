import type { OperationInfo } from './operation-name';

/** What the audit log learns about one API call while it is served (attached as `req.call`). */
export interface CallRecord {
  /** Clock time when the call arrived. */
  at: number;
  /** process.hrtime.bigint() at arrival, for the latency. */
  started: bigint;
  operation?: OperationInfo;
  /** From the path, or from the response (`operation.target.id`) for creates. */
  resourceId?: string;
  /** The fault rule that fired on this call. */
  faultRuleId?: string;
}
