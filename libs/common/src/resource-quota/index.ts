export * from './resource-list';
export * from './evaluators';
export * from './check-request';
export * from './calculate-usage';
