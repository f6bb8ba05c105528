import { errorAs, InvalidServiceError, RetryError } from '@app/cloud-provider';
import { errorMessage } from '@app/controller-runtime';
import type { Service } from './service-types';

/** KEP-4631's Service conditions (sig-network, provisional; feature gate LoadBalancerStatusImprovements). */
export const LB_SERVING = 'LoadBalancerServing';
export const LB_PROVISIONING = 'LoadBalancerProvisioning';
export const LB_CONDITION_TYPES = [LB_SERVING, LB_PROVISIONING];

/** A metav1.Condition as the Service status holds it. */
export interface ServiceCondition {
  type: string;
  status: 'True' | 'False';
  reason: string;
  message: string;
  lastTransitionTime: string;
  observedGeneration?: number;
}

type Wanted = Omit<ServiceCondition, 'lastTransitionTime' | 'observedGeneration'>;

const conditionsOf = (service: Service): ServiceCondition[] =>
  (service.status?.conditions ?? []) as unknown as ServiceCondition[];

const isServing = (service: Service) => (service.status?.loadBalancer?.ingress?.length ?? 0) > 0;

/** metav1 times are whole seconds. */
const timestamp = (nowMs: number) =>
  new Date(Math.floor(nowMs / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/**
 * The conditions to write, or undefined when the Service already says so: meta.SetStatusCondition
 * (the transition time moves only with the status), except that `touch` names a condition whose
 * transition time moves anyway (KEP-4631: a changed Service bumps LoadBalancerProvisioning's).
 */
function settle(
  service: Service,
  wanted: Wanted[],
  nowMs: number,
  touch?: string,
): ServiceCondition[] | undefined {
  const existing = conditionsOf(service);
  const generation = service.metadata?.generation;
  let changed = false;
  const next = wanted.map((w) => {
    const old = existing.find((c) => c.type === w.type);
    const moved = !old || old.status !== w.status || w.type === touch;
    if (
      moved ||
      old.reason !== w.reason ||
      old.message !== w.message ||
      old.observedGeneration !== generation
    ) {
      changed = true;
    }
    return {
      ...w,
      lastTransitionTime: moved ? timestamp(nowMs) : old.lastTransitionTime,
      ...(generation !== undefined ? { observedGeneration: generation } : {}),
    };
  });
  return changed ? next : undefined;
}

/**
 * Before EnsureLoadBalancer: Provisioning=True, and Serving as it is (a Service with ingress keeps
 * serving its previous state while it is reprovisioned). Undefined while already provisioning.
 */
export function provisioningConditions(
  service: Service,
  nowMs: number,
): ServiceCondition[] | undefined {
  const current = conditionsOf(service).find((c) => c.type === LB_PROVISIONING);
  if (current?.status === 'True') {
    return undefined;
  }
  return settle(
    service,
    [
      {
        type: LB_PROVISIONING,
        status: 'True',
        reason: 'Provisioning',
        message: 'Ensuring load balancer',
      },
      isServing(service)
        ? {
            type: LB_SERVING,
            status: 'True',
            reason: 'Serving',
            message: 'Load balancer is serving',
          }
        : {
            type: LB_SERVING,
            status: 'False',
            reason: 'Provisioning',
            message: 'Load balancer is being provisioned',
          },
    ],
    nowMs,
    LB_PROVISIONING,
  );
}

/** After a successful EnsureLoadBalancer: Provisioning=False Complete, Serving=True. */
export function servingConditions(service: Service, nowMs: number): ServiceCondition[] | undefined {
  return settle(
    service,
    [
      {
        type: LB_PROVISIONING,
        status: 'False',
        reason: 'Complete',
        message: 'Ensured load balancer',
      },
      { type: LB_SERVING, status: 'True', reason: 'Serving', message: 'Load balancer is serving' },
    ],
    nowMs,
  );
}

/**
 * After a failed EnsureLoadBalancer. A load balancer the cloud is still building (the provider's
 * RetryError) stays Provisioning. Otherwise provisioning is Complete with the error; a Service the
 * provider cannot implement is `Unsupported`, any other failure `Infrastructure`, and a load
 * balancer that was serving keeps serving its previous state.
 */
export function failedConditions(
  service: Service,
  error: unknown,
  nowMs: number,
): ServiceCondition[] | undefined {
  if (errorAs(error, RetryError)) {
    return undefined;
  }
  const message = errorMessage(error);
  const serving: Wanted = isServing(service)
    ? { type: LB_SERVING, status: 'True', reason: 'Serving', message: 'Load balancer is serving' }
    : {
        type: LB_SERVING,
        status: 'False',
        reason: errorAs(error, InvalidServiceError) ? 'Unsupported' : 'Infrastructure',
        message,
      };
  return settle(
    service,
    [{ type: LB_PROVISIONING, status: 'False', reason: 'Complete', message }, serving],
    nowMs,
  );
}

/** Whether the Service carries any of the KEP's conditions (to remove when it stops being a LoadBalancer). */
export function hasLoadBalancerConditions(service: Service): boolean {
  return conditionsOf(service).some((c) => LB_CONDITION_TYPES.includes(c.type));
}
