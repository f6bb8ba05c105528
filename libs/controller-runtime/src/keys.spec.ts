import { deletionHandlingMetaNamespaceKey, metaNamespaceKey, splitMetaNamespaceKey } from './keys';

describe('keys', () => {
  it('should key namespaced objects ns/name and cluster-scoped ones by name', () => {
    expect(metaNamespaceKey({ metadata: { namespace: 'default', name: 'web' } })).toBe(
      'default/web',
    );
    expect(metaNamespaceKey({ metadata: { name: 'node-1' } })).toBe('node-1');
    expect(() => metaNamespaceKey({ metadata: {} })).toThrow(/metadata.name/);
  });

  it('should use the key of a tombstone', () => {
    const obj = { metadata: { namespace: 'a', name: 'b' } };
    expect(
      deletionHandlingMetaNamespaceKey({ kind: 'DeletedFinalStateUnknown', key: 'x/y', obj }),
    ).toBe('x/y');
    expect(deletionHandlingMetaNamespaceKey(obj)).toBe('a/b');
  });

  it('should split keys like client-go', () => {
    expect(splitMetaNamespaceKey('default/web')).toEqual({ namespace: 'default', name: 'web' });
    expect(splitMetaNamespaceKey('node-1')).toEqual({ namespace: '', name: 'node-1' });
    expect(() => splitMetaNamespaceKey('a/b/c')).toThrow(/unexpected key format/);
  });
});
