import { applyMergePatch } from './merge-patch';
import { applyJsonPatch } from './json-patch';

describe('applyMergePatch (RFC 7386)', () => {
  it('should merge, replace lists and delete nulls', () => {
    expect(
      applyMergePatch({ a: { b: 1, c: 2 }, l: [1, 2] }, { a: { b: null, d: 3 }, l: [3] }),
    ).toEqual({ a: { c: 2, d: 3 }, l: [3] });
  });
});

describe('applyJsonPatch (RFC 6902)', () => {
  it('should apply operations without touching the input', () => {
    const doc = { metadata: { labels: {} as Record<string, string> } };
    expect(applyJsonPatch(doc, [{ op: 'add', path: '/metadata/labels/z', value: 'w' }])).toEqual({
      metadata: { labels: { z: 'w' } },
    });
    expect(doc.metadata.labels).toEqual({});
  });

  it('should turn a failed test into a 422 and a non-array into a 400', () => {
    expect(() => applyJsonPatch({ a: 1 }, [{ op: 'test', path: '/a', value: 2 }])).toThrow(
      expect.objectContaining({ code: 422 }),
    );
    expect(() => applyJsonPatch({}, { op: 'add' })).toThrow(expect.objectContaining({ code: 400 }));
  });
});
