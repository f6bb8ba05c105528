export * from './start-kube-scheduler';
export * from './settings';
export { fitErrorMessage, NO_NODES_AVAILABLE } from './framework/fit-error';
