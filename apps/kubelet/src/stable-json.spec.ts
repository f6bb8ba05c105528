import fc from 'fast-check';
import { stableJson } from './stable-json';

/**
 * The definition: JSON.stringify of the value with every object's keys sorted. (Rebuilt objects
 * list integer-like keys first whatever their order, so the property leaves those out.)
 */
function sortedStringify(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)),
        )
      : v,
  );
}

it('writes what JSON.stringify writes of the key-sorted value', () => {
  const value = fc.anything({
    key: fc.string().filter((k) => !/^\d+$/.test(k)),
    withNullPrototype: true,
    withSparseArray: true,
    withDate: true,
    values: [fc.double(), fc.string(), fc.boolean(), fc.constant(undefined), fc.constant(null)],
  });
  fc.assert(
    fc.property(value, (v) => {
      expect(stableJson(v)).toBe(sortedStringify(v));
    }),
    { numRuns: 500 },
  );
});

it('is the same for objects whose keys come in another order', () => {
  expect(stableJson({ b: 1, a: { d: [1, { f: 2, e: 1 }], c: 'x' } })).toBe(
    stableJson({ a: { c: 'x', d: [1, { e: 1, f: 2 }] }, b: 1 }),
  );
  expect(stableJson({ b: 1, a: undefined, c: [undefined, NaN] })).toBe('{"b":1,"c":[null,null]}');
});
