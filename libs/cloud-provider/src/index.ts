export * from './api';
export * from './nimbus';
