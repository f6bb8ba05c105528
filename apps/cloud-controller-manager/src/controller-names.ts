/** Upstream controller names and their `--controllers` aliases (names/controller_names.go). */
export const CONTROLLER_ALIASES: Record<string, string> = {
  'cloud-node-controller': 'cloud-node',
  'cloud-node-lifecycle-controller': 'cloud-node-lifecycle',
  'service-lb-controller': 'service',
  'node-route-controller': 'route',
};

/** The alias for a full name; aliases map to themselves. */
export function canonicalControllerName(name: string): string {
  return CONTROLLER_ALIASES[name] ?? name;
}

/**
 * controller-manager's IsControllerEnabled: the first explicit `name` or `-name` wins; otherwise
 * `*` enables everything not disabled by default (nothing is, in the CCM). Full names and aliases
 * are interchangeable.
 */
export function isControllerEnabled(name: string, controllers: readonly string[]): boolean {
  const alias = canonicalControllerName(name);
  let hasStar = false;
  for (const raw of controllers) {
    const entry = raw.trim();
    if (entry === '*') {
      hasStar = true;
      continue;
    }
    if (entry.startsWith('-') && canonicalControllerName(entry.slice(1)) === alias) {
      return false;
    }
    if (canonicalControllerName(entry) === alias) {
      return true;
    }
  }
  return hasStar;
}

/** Names in `--controllers` that match no known controller (upstream refuses to start). */
export function unknownControllers(controllers: readonly string[], known: string[]): string[] {
  const aliases = new Set(known.map(canonicalControllerName));
  return controllers
    .map((c) => c.trim())
    .filter((c) => c !== '*' && c !== '')
    .map((c) => (c.startsWith('-') ? c.slice(1) : c))
    .filter((c) => !aliases.has(canonicalControllerName(c)));
}
