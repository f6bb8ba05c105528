import { registerDecorator, type ValidationArguments } from 'class-validator';

// Kubernetes label syntax: an optional DNS-1123 subdomain prefix and a name of at most 63 characters.
const NAME = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)$/;
const PREFIX = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
export const MAX_LABELS = 64;

export function labelKeyProblem(key: string): string | undefined {
  const slash = key.indexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length > 253 || !PREFIX.test(prefix))) {
    return `label key "${key}" has an invalid prefix (must be a DNS subdomain)`;
  }
  if (name.length === 0 || name.length > 63 || !NAME.test(name)) {
    return `label key "${key}" is invalid (at most 63 alphanumerics, "-", "_" or ".", starting and ending alphanumeric)`;
  }
  return undefined;
}

export function labelValueProblem(key: string, value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return `label "${key}" must have a string value`;
  }
  if (value.length > 63 || (value.length > 0 && !NAME.test(value))) {
    return `label "${key}" has an invalid value (at most 63 alphanumerics, "-", "_" or ".")`;
  }
  return undefined;
}

/** Validates a `{ key: value }` map with Kubernetes label syntax. */
export function IsLabels(): PropertyDecorator {
  return (target: object, propertyName: string | symbol) => {
    registerDecorator({
      name: 'isLabels',
      target: target.constructor,
      propertyName: propertyName as string,
      validator: {
        validate(value: unknown) {
          return labelsProblem(value) === undefined;
        },
        defaultMessage(args: ValidationArguments) {
          return `${args.property}: ${labelsProblem(args.value) ?? 'invalid labels'}`;
        },
      },
    });
  };
}

export function labelsProblem(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return 'must be an object of string labels';
  }
  const entries = Object.entries(value);
  if (entries.length > MAX_LABELS) {
    return `at most ${MAX_LABELS} labels`;
  }
  for (const [k, v] of entries) {
    const problem = labelKeyProblem(k) ?? labelValueProblem(k, v);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}
