// The bench runs under plain ts-node (no path aliases), so it re-exports what it needs by path.
export { hostAddressOf } from '../../libs/common/src/host-address';
export { hostPort } from '../../libs/dataplane/src/bind';
