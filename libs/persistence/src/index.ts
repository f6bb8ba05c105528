export * from './sqlite-data-source';
export * from './run-migrations';
export * from './sqlite-database';
