import { ConfigError } from '@app/config';

/** A controller as `--controllers` knows it: its canonical name and the aliases it answers to. */
export interface ControllerName {
  /** Canonical name, e.g. `node-lifecycle-controller`. */
  name: string;
  /** Other accepted spellings, e.g. `nodelifecycle`. */
  aliases?: readonly string[];
  /** Only started when named explicitly (upstream ControllersDisabledByDefault). */
  disabledByDefault?: boolean;
}

/**
 * k8s.io/controller-manager's `--controllers` rules, shared by the kube-controller-manager and
 * the cloud-controller-manager: `*` enables every controller not disabled by default, `name`
 * enables one, `-name` disables one; the first explicit entry for a controller wins; canonical
 * names and aliases are interchangeable; unknown names refuse the start.
 */
export class ControllerNames {
  private readonly canonical = new Map<string, string>();
  private readonly disabledByDefault = new Set<string>();

  constructor(controllers: readonly ControllerName[]) {
    for (const c of controllers) {
      this.canonical.set(c.name, c.name);
      for (const alias of c.aliases ?? []) {
        this.canonical.set(alias, c.name);
      }
      if (c.disabledByDefault) {
        this.disabledByDefault.add(c.name);
      }
    }
  }

  /** The canonical name of a name or alias (unknown names map to themselves). */
  canonicalName(name: string): string {
    return this.canonical.get(name) ?? name;
  }

  isEnabled(name: string, controllers: readonly string[]): boolean {
    const wanted = this.canonicalName(name);
    let hasStar = false;
    for (const raw of controllers) {
      const entry = raw.trim();
      if (entry === '*') {
        hasStar = true;
        continue;
      }
      if (entry.startsWith('-') && this.canonicalName(entry.slice(1)) === wanted) {
        return false;
      }
      if (this.canonicalName(entry) === wanted) {
        return true;
      }
    }
    return hasStar && !this.disabledByDefault.has(wanted);
  }

  /** Entries of `--controllers` that name no known controller. */
  unknown(controllers: readonly string[]): string[] {
    return controllers
      .map((c) => c.trim())
      .filter((c) => c !== '*' && c !== '')
      .map((c) => (c.startsWith('-') ? c.slice(1) : c))
      .filter((c) => !this.canonical.has(c));
  }
}

/**
 * The descriptors `--controllers` enables, each validated against the settings: an unknown
 * name or a descriptor's own check refuses the start with a ConfigError.
 */
export function enabledControllers<
  S extends { controllers: readonly string[] },
  D extends { name: string; validate?(settings: S): void },
>(
  descriptors: readonly D[],
  settings: S,
  names: Pick<ControllerNames, 'unknown' | 'isEnabled'>,
): D[] {
  const unknown = names.unknown(settings.controllers);
  if (unknown.length > 0) {
    throw new ConfigError(`--controllers: unknown controller(s) ${unknown.join(', ')}`);
  }
  const enabled = descriptors.filter((d) => names.isEnabled(d.name, settings.controllers));
  for (const d of enabled) {
    d.validate?.(settings);
  }
  return enabled;
}
