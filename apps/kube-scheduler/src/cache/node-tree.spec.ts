import { makeNode } from '../testing/builders';
import { NodeTree } from './node-tree';

const zoned = (name: string, zone?: string) =>
  makeNode(name, {
    labels: zone
      ? { 'topology.kubernetes.io/zone': zone, 'topology.kubernetes.io/region': 'r' }
      : {},
  });

describe('NodeTree', () => {
  it('lists nodes zone by zone in turn, and moves a node whose zone changes', () => {
    const tree = new NodeTree();
    ['a1', 'a2', 'a3'].forEach((n) => tree.add(zoned(n, 'a')));
    ['b1'].forEach((n) => tree.add(zoned(n, 'b')));
    ['c1', 'c2'].forEach((n) => tree.add(zoned(n, 'c')));
    expect(tree.list()).toEqual(['a1', 'b1', 'c1', 'a2', 'c2', 'a3']);
    tree.add(zoned('a3', 'b'));
    tree.remove('c1');
    expect(tree.list()).toEqual(['a1', 'b1', 'c2', 'a2', 'a3']);
    expect(tree.size).toBe(5);
  });
});
