export * from './start-cloud-controller-manager';
export * from './controller-context';
export * from './controller-names';
export * from './cluster-cidr';
export * from './settings';
export { CONTROLLERS } from './controllers';
