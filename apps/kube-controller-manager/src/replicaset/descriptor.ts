import type { ControllerDescriptor } from '../controller-context';
import {
  REPLICA_SET_KIND,
  REPLICATION_CONTROLLER_KIND,
  type ReplicaSetKind,
  type ReplicaSetLike,
} from './replica-set-kind';
import { ReplicaSetController } from './replica-set-controller';

function descriptorFor(kind: ReplicaSetKind, aliases: string[]): ControllerDescriptor {
  return {
    name: kind.controllerName,
    aliases,
    init(ctx) {
      const controller = new ReplicaSetController({
        kind,
        rest: ctx.rest,
        replicaSets: ctx.informers.informer<ReplicaSetLike>(kind.listPath),
        pods: ctx.informers.pods(),
        podsByControllerUid: ctx.podsByControllerUid(),
        recorder: ctx.eventRecorder(kind.component),
        scheduler: ctx.scheduler,
        clockScheduler: ctx.clockScheduler,
        now: () => ctx.clock.now(),
        logger: ctx.logger,
      });
      return { start: async () => (await controller.start(), controller) };
    },
  };
}

/** `replicaset-controller` (alias `replicaset`). */
export const replicaSetController = descriptorFor(REPLICA_SET_KIND, ['replicaset']);

/** `replicationcontroller-controller` (alias `replicationcontroller`). */
export const replicationController = descriptorFor(REPLICATION_CONTROLLER_KIND, [
  'replicationcontroller',
]);
