/** The built-in catalog: one region, three zones, a handful of instance types. */
export interface CatalogSpec {
  regions: { name: string; zones: string[] }[];
  instanceTypes: {
    name: string;
    vcpus: number;
    memoryMiB: number;
    maxAttachedVolumes: number;
    architecture: string;
  }[];
}

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
};
