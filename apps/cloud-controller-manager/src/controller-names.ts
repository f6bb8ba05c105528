import { ControllerNames } from '@app/controller-manager';

/** Upstream controller names and their `--controllers` aliases (names/controller_names.go). */
export const CONTROLLER_ALIASES: Record<string, string> = {
  'cloud-node-controller': 'cloud-node',
  'cloud-node-lifecycle-controller': 'cloud-node-lifecycle',
  'service-lb-controller': 'service',
  'node-route-controller': 'route',
};

// The CCM names its controllers by alias (descriptor `name`), so the alias is canonical here.
const NAMES = new ControllerNames(
  Object.entries(CONTROLLER_ALIASES).map(([full, alias]) => ({ name: alias, aliases: [full] })),
);

/** The alias for a full name; aliases map to themselves. */
export function canonicalControllerName(name: string): string {
  return NAMES.canonicalName(name);
}

/** controller-manager's IsControllerEnabled (nothing is disabled by default in the CCM). */
export function isControllerEnabled(name: string, controllers: readonly string[]): boolean {
  return NAMES.isEnabled(name, controllers);
}

/** Names in `--controllers` that match no known controller (upstream refuses to start). */
export function unknownControllers(controllers: readonly string[], known: string[]): string[] {
  const fullNames = Object.entries(CONTROLLER_ALIASES);
  return new ControllerNames(
    known.map((k) => ({
      name: canonicalControllerName(k),
      aliases: fullNames
        .filter(([, alias]) => alias === canonicalControllerName(k))
        .map(([f]) => f),
    })),
  ).unknown(controllers);
}
