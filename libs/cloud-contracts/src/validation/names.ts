import { applyDecorators } from '@nestjs/common';
import { Matches, MaxLength } from 'class-validator';

export const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
export const DNS1123_LABEL_MESSAGE =
  'must be a DNS-1123 label: lowercase letters, digits and "-", starting and ending with a letter or digit';

/** A resource name: a DNS-1123 label of at most 63 characters. */
export function IsResourceName(): PropertyDecorator {
  return applyDecorators(
    MaxLength(63, { message: '$property must be at most 63 characters' }),
    Matches(DNS1123_LABEL, { message: `$property ${DNS1123_LABEL_MESSAGE}` }),
  );
}
