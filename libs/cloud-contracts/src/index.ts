import 'reflect-metadata';

export * from './validation/names';
export * from './validation/labels';
export * from './problem.dto';
export * from './operation.dto';
export * from './list.dto';
export * from './projects.dto';
export * from './catalog.dto';
export * from './instances.dto';
export * from './volumes.dto';
export * from './quotas.dto';
export * from './networks.dto';
export * from './routes.dto';
export * from './load-balancers.dto';
export * from './audit.dto';
export * from './faults.dto';
export * from './events.dto';
export * from './out-of-band.dto';
