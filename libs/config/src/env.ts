/**
 * The one place that reads process.env. Every option `--some-option` has the variable
 * `NIMBUS_SOME_OPTION`.
 */
export function envName(option: string): string {
  return `NIMBUS_${option.replace(/^--/, '').replace(/-/g, '_').toUpperCase()}`;
}

export function readEnv(option: string): string | undefined {
  const value = process.env[envName(option)];
  return value === undefined || value === '' ? undefined : value;
}

/** True when running under CI (used only for defaults such as colourless output). */
export function isCi(): boolean {
  return process.env.CI === 'true' || process.env.CI === '1';
}

/** The current environment plus `extra`, for child processes (tests run kubectl with EDITOR set). */
export function environmentWith(extra: Record<string, string>): NodeJS.ProcessEnv {
  return { ...process.env, ...extra };
}
