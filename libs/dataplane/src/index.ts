export * from './types';
export * from './data-plane';
export { validateSpec, type ListenerInspection } from './virtual-server';
export * from './schedulers';
export { SourceRanges, plainAddress } from './source-ranges';
export { hostPort } from './bind';
export {
  probe,
  tcpProbe,
  httpProbe,
  type Probe,
  type ProbeResult,
  type ProbeTarget,
} from './health/probes';
export { createDataPlane } from './create-data-plane';
export { ThreadedDataPlane } from './thread/threaded-data-plane';
export { DataPlaneThread } from './thread/data-plane-thread';
export { resetSocket } from './reset-socket';
