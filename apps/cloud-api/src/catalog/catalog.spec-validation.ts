import { ConfigError } from '@app/config';
import { DNS1123_LABEL } from '@app/cloud-contracts';
import { DEFAULT_VOLUME_TYPES, type CatalogSpec } from './catalog.defaults';

const isName = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= 63 && DNS1123_LABEL.test(v);
const isTypeName = (v: unknown): v is string =>
  typeof v === 'string' && /^[a-z0-9][a-z0-9.-]{0,62}$/.test(v);
const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;

/** Checks a catalog file (--catalog) and names the first bad entry. */
export function validateCatalogSpec(raw: unknown, source: string): CatalogSpec {
  const fail = (what: string): never => {
    throw new ConfigError(`catalog ${source}: ${what}`);
  };
  const spec = raw as Partial<CatalogSpec>;
  if (!Array.isArray(spec?.regions) || spec.regions.length === 0) {
    fail('"regions" must be a non-empty array');
  }
  if (!Array.isArray(spec.instanceTypes) || spec.instanceTypes.length === 0) {
    fail('"instanceTypes" must be a non-empty array');
  }
  const zones = new Set<string>();
  spec.regions!.forEach((r, i) => {
    if (!isName(r?.name)) {
      fail(`regions[${i}].name must be a DNS-1123 label`);
    }
    if (!Array.isArray(r.zones) || r.zones.length === 0) {
      fail(`regions[${i}].zones must be a non-empty array`);
    }
    r.zones.forEach((z, j) => {
      if (!isName(z) || zones.has(z)) {
        fail(`regions[${i}].zones[${j}] must be a unique DNS-1123 label`);
      }
      zones.add(z);
    });
  });
  spec.instanceTypes!.forEach((t, i) => {
    if (!isTypeName(t?.name)) {
      fail(`instanceTypes[${i}].name must be lowercase letters, digits, "." or "-"`);
    }
    for (const field of ['vcpus', 'memoryMiB', 'maxAttachedVolumes'] as const) {
      if (!isPositiveInt(t[field])) {
        fail(`instanceTypes[${i}].${field} must be a positive integer`);
      }
    }
    t.architecture ??= 'amd64';
  });
  if (spec.volumeTypes === undefined) {
    spec.volumeTypes = DEFAULT_VOLUME_TYPES.map((t) => ({ ...t }));
  } else if (!Array.isArray(spec.volumeTypes) || spec.volumeTypes.length === 0) {
    fail('"volumeTypes" must be a non-empty array when present');
  }
  const volumeTypes = new Set<string>();
  spec.volumeTypes.forEach((t, i) => {
    if (!isTypeName(t?.name) || volumeTypes.has(t.name)) {
      fail(`volumeTypes[${i}].name must be unique lowercase letters, digits, "." or "-"`);
    }
    volumeTypes.add(t.name);
    for (const field of ['minSizeGiB', 'maxSizeGiB'] as const) {
      if (!isPositiveInt(t[field])) {
        fail(`volumeTypes[${i}].${field} must be a positive integer`);
      }
    }
    if (t.maxSizeGiB < t.minSizeGiB) {
      fail(`volumeTypes[${i}].maxSizeGiB must not be below minSizeGiB`);
    }
    if (t.multiAttach !== undefined && typeof t.multiAttach !== 'boolean') {
      fail(`volumeTypes[${i}].multiAttach must be a boolean`);
    }
    t.multiAttach ??= false;
    t.description ??= t.name;
    if (t.default !== undefined && typeof t.default !== 'boolean') {
      fail(`volumeTypes[${i}].default must be a boolean`);
    }
  });
  // Exactly one default type, as real clouds have (gp3, pd-balanced): the first unless one is marked.
  const defaults = spec.volumeTypes.filter((t) => t.default === true);
  if (defaults.length > 1) {
    fail('at most one of volumeTypes may have "default": true');
  }
  spec.volumeTypes.forEach((t, i) => {
    t.default = defaults.length === 1 ? t.default === true : i === 0;
  });
  return spec as CatalogSpec;
}
