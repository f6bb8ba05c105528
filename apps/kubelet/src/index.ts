export * from './start-kubelet';
export { KUBELET_VERSION } from './versions';
export { SIM_ANNOTATIONS } from './pods/sim-annotations';
export type { HollowNode } from './node/hollow-node';
