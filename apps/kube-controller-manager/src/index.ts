export * from './start-kube-controller-manager';
export * from './controller-context';
export * from './settings';
export { CONTROLLERS } from './controllers';
