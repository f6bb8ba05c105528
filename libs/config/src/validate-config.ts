import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { ConfigError } from './config-error';
import { envName } from './env';

type Ctor<T> = new () => T;

/** Validates raw option values into a typed config object, or throws one ConfigError naming every bad option. */
export function validateConfig<T extends object>(ctor: Ctor<T>, raw: Record<string, unknown>): T {
  const present = Object.fromEntries(Object.entries(raw).filter(([, v]) => v !== undefined));
  const instance = plainToInstance(ctor, present, { exposeUnsetFields: false });
  const errors = validateSync(instance, { whitelist: true, forbidNonWhitelisted: true });
  if (errors.length > 0) {
    throw new ConfigError(`invalid configuration: ${errors.map(describe).join('; ')}`);
  }
  return instance;
}

function describe(error: ValidationError): string {
  const option = `--${error.property.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
  const problems = Object.values(error.constraints ?? {}).join(', ');
  return `${option} (${envName(option)}): ${problems}`;
}
