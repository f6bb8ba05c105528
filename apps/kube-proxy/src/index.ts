export * from './start-kube-proxy';
export { NodeProxy } from './node-proxy';
