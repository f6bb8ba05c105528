/** The built-in catalog: one region, three zones, a handful of instance and volume types. */
export interface CatalogSpec {
  regions: { name: string; zones: string[] }[];
  instanceTypes: {
    name: string;
    vcpus: number;
    memoryMiB: number;
    maxAttachedVolumes: number;
    architecture: string;
  }[];
  volumeTypes: {
    name: string;
    description: string;
    minSizeGiB: number;
    maxSizeGiB: number;
    /** Whether one volume may be attached to several instances at once. */
    multiAttach: boolean;
    /** The type a volume gets when its create names none (exactly one type is the default). */
    default: boolean;
  }[];
}

/** Used when a --catalog file has no volumeTypes (files written before volumes existed). */
export const DEFAULT_VOLUME_TYPES: CatalogSpec['volumeTypes'] = [
  {
    name: 'standard',
    description: 'Network block storage (HDD class)',
    minSizeGiB: 1,
    maxSizeGiB: 16384,
    multiAttach: false,
    default: true,
  },
  {
    name: 'ssd',
    description: 'Network block storage (SSD class), multi-attach capable',
    minSizeGiB: 4,
    maxSizeGiB: 16384,
    multiAttach: true,
    default: false,
  },
];

export const DEFAULT_CATALOG: CatalogSpec = {
  regions: [{ name: 'nimbus-1', zones: ['nimbus-1a', 'nimbus-1b', 'nimbus-1c'] }],
  instanceTypes: [
    { name: 'nb.small', vcpus: 1, memoryMiB: 2048, maxAttachedVolumes: 8, architecture: 'amd64' },
    { name: 'nb.medium', vcpus: 2, memoryMiB: 4096, maxAttachedVolumes: 16, architecture: 'amd64' },
    { name: 'nb.large', vcpus: 4, memoryMiB: 8192, maxAttachedVolumes: 24, architecture: 'amd64' },
    {
      name: 'nb.xlarge',
      vcpus: 8,
      memoryMiB: 16384,
      maxAttachedVolumes: 32,
      architecture: 'amd64',
    },
    {
      name: 'nb.2xlarge',
      vcpus: 16,
      memoryMiB: 32768,
      maxAttachedVolumes: 32,
      architecture: 'amd64',
    },
  ],
  volumeTypes: DEFAULT_VOLUME_TYPES,
};
