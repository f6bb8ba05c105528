export * from './serving-names';
export * from './serving-certificates';
export * from './pem-files';
