import { Option } from 'commander';
import { envName } from './env';

/**
 * A CLI option that also reads `NIMBUS_<OPTION>` (commander resolves the variable; the command line wins).
 * Example: nimbusOption('--data-dir <dir>', 'state directory', '.nimbus').
 */
export function nimbusOption(flags: string, description: string, defaultValue?: string): Option {
  const long = /--[a-z0-9-]+/.exec(flags)?.[0];
  if (!long) {
    throw new Error(`option "${flags}" has no long name`);
  }
  const option = new Option(flags, description).env(envName(long));
  return defaultValue === undefined ? option : option.default(defaultValue);
}
