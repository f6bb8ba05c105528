import { csiCodeOf, type CsiCode } from '@app/cloud-provider';

/**
 * sig-storage-lib-external-provisioner's ProvisioningState: what a failed attempt means for the
 * claim. `InBackground` = the cloud may still be creating the volume: keep retrying even if the
 * claim goes away (so nothing leaks); `Reschedule` = give the scheduler a new node; `NoChange` =
 * try again; `Finished` = no operation is in flight.
 */
export type ProvisioningState = 'Finished' | 'InBackground' | 'NoChange' | 'Reschedule';

/** An error with the state it leaves provisioning in. */
export class ProvisioningError extends Error {
  constructor(
    message: string,
    readonly state: ProvisioningState,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'ProvisioningError';
  }
}

/** "Nothing to do for this claim now" (errStopProvision / IgnoredError): no event, no retry. */
export class StopProvisioning extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'StopProvisioning';
  }
}

/**
 * external-provisioner's checkError for a failed CreateVolume: only codes that prove nothing is
 * in progress finish the attempt; ResourceExhausted with a selected node asks for another node.
 */
export function stateAfterCreateError(error: unknown, mayReschedule: boolean): ProvisioningState {
  const code = csiCodeOf(error);
  if (code === undefined || IN_PROGRESS_CODES.has(code)) {
    return 'InBackground';
  }
  if (code === 'ResourceExhausted') {
    return mayReschedule ? 'Reschedule' : 'Finished';
  }
  return 'Finished';
}

/** Codes after which the cloud may still be creating the volume (timeouts, transport). */
const IN_PROGRESS_CODES: ReadonlySet<CsiCode> = new Set<CsiCode>([
  'DeadlineExceeded',
  'Unavailable',
  'Aborted',
]);

/** InvalidArgument: the request can never work as it is; retried only after 5 minutes. */
export const isInfeasible = (error: unknown): boolean => csiCodeOf(error) === 'InvalidArgument';
