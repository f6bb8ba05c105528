import { validateCatalogSpec } from './catalog.spec-validation';

const base = {
  regions: [{ name: 'r1', zones: ['r1a'] }],
  instanceTypes: [{ name: 't.small', vcpus: 1, memoryMiB: 512, maxAttachedVolumes: 4 }],
};

describe('validateCatalogSpec: volume types', () => {
  it('should default the volume types of files written before volumes existed', () => {
    const spec = validateCatalogSpec(structuredClone(base), 'old.json');
    expect(spec.volumeTypes.map((t) => [t.name, t.multiAttach])).toEqual([
      ['standard', false],
      ['ssd', true],
    ]);
  });

  it('should default multiAttach to false and the description to the name', () => {
    const spec = validateCatalogSpec(
      { ...structuredClone(base), volumeTypes: [{ name: 'hdd', minSizeGiB: 1, maxSizeGiB: 10 }] },
      'c.json',
    );
    expect(spec.volumeTypes).toEqual([
      {
        name: 'hdd',
        description: 'hdd',
        minSizeGiB: 1,
        maxSizeGiB: 10,
        multiAttach: false,
        default: true,
      },
    ]);
  });

  it('should make the first type the default unless one is marked, and refuse two defaults', () => {
    const types = [
      { name: 'a', minSizeGiB: 1, maxSizeGiB: 2 },
      { name: 'b', minSizeGiB: 1, maxSizeGiB: 2, default: true },
    ];
    const spec = validateCatalogSpec({ ...structuredClone(base), volumeTypes: types }, 'c.json');
    expect(spec.volumeTypes.map((t) => [t.name, t.default])).toEqual([
      ['a', false],
      ['b', true],
    ]);
    expect(() =>
      validateCatalogSpec(
        {
          ...structuredClone(base),
          volumeTypes: types.map((t) => ({ ...t, default: true })),
        },
        'c.json',
      ),
    ).toThrow('at most one of volumeTypes may have "default": true');
  });

  it.each([
    [[], '"volumeTypes" must be a non-empty array'],
    [[{ name: 'Bad!', minSizeGiB: 1, maxSizeGiB: 2 }], 'volumeTypes[0].name'],
    [[{ name: 'a', minSizeGiB: 0, maxSizeGiB: 2 }], 'volumeTypes[0].minSizeGiB'],
    [[{ name: 'a', minSizeGiB: 5, maxSizeGiB: 2 }], 'maxSizeGiB must not be below minSizeGiB'],
    [[{ name: 'a', minSizeGiB: 1, maxSizeGiB: 2, multiAttach: 'yes' }], 'multiAttach'],
    [
      [
        { name: 'a', minSizeGiB: 1, maxSizeGiB: 2 },
        { name: 'a', minSizeGiB: 1, maxSizeGiB: 2 },
      ],
      'volumeTypes[1].name must be unique',
    ],
  ])('should reject %j naming the entry', (volumeTypes, message) => {
    expect(() => validateCatalogSpec({ ...structuredClone(base), volumeTypes }, 'c.json')).toThrow(
      message,
    );
  });
});
