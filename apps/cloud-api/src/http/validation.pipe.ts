import { ValidationPipe, type ArgumentMetadata, type ValidationError } from '@nestjs/common';
import { DomainError, type FieldViolation } from '@app/common';

/**
 * Strict validation: unknown fields, wrong types and bad values answer 400 INVALID_ARGUMENT with
 * every offending field named; nothing reaches a service.
 */
export class StrictValidationPipe extends ValidationPipe {
  constructor() {
    super({
      whitelist: true,
      forbidNonWhitelisted: true,
      transform: true,
      transformOptions: { enableImplicitConversion: false },
      // The value is kept so a missing field can be told apart from a bad one (never echoed).
      validationError: { target: false, value: true },
      exceptionFactory: (errors) => {
        const violations = flatten(errors);
        return new DomainError(
          'INVALID_ARGUMENT',
          violations.map((v) => `${v.field}: ${v.description}`).join('; '),
          {
            fieldViolations: violations,
          },
        );
      },
    });
  }

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Custom decorators (@Ctx()) are not validated (validateCustomDecorators is off): skip the
    // class-validator machinery on the calls that have nothing else to check.
    if (metadata.type === 'custom') {
      return value;
    }
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object) {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        throw new DomainError('INVALID_ARGUMENT', 'request body must be a JSON object', {
          fieldViolations: [{ field: 'body', description: 'must be a JSON object' }],
        });
      }
    }
    return super.transform(value, metadata);
  }
}

function flatten(errors: ValidationError[], parent = ''): FieldViolation[] {
  return errors.flatMap((error) => {
    const field = !parent
      ? error.property
      : /^\d+$/.test(error.property)
        ? `${parent}[${error.property}]`
        : `${parent}.${error.property}`;
    const constraints = Object.entries(error.constraints ?? {});
    // A required field that is absent fails every rule it has: one "is required" says it all.
    if (
      constraints.length > 0 &&
      error.value === undefined &&
      !('whitelistValidation' in (error.constraints ?? {}))
    ) {
      return [{ field, description: 'is required' }];
    }
    if (constraints.length > 0 && error.value === null) {
      return [{ field, description: 'must not be null' }];
    }
    const own = constraints.map(([rule, message]) => ({
      field,
      description:
        rule === 'whitelistValidation' ? 'unknown field' : stripProperty(message, error.property),
    }));
    return [...own, ...flatten(error.children ?? [], field)];
  });
}

/** class-validator messages start with the property name; the field is reported separately. */
function stripProperty(message: string, property: string): string {
  return message.startsWith(`${property} `) ? message.slice(property.length + 1) : message;
}
