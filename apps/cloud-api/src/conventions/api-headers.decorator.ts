import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';

/** Documents Idempotency-Key on a POST. */
export const ApiIdempotencyKey = () =>
  ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Any string (1-255 printable ASCII). The same key with the same request replays the first response for 24 h; with a different request it answers 409 IDEMPOTENCY_KEY_REUSED.',
    example: '3f0c1d9a-5d4e-4a6b-9d7e-2b1c0a9f8e7d',
  });

/** Documents If-Match on a conditional mutation. */
export const ApiIfMatch = () =>
  ApiHeader({
    name: 'If-Match',
    required: false,
    description:
      'The etag from a previous read; on mismatch the request answers 412 and changes nothing.',
    example: '"a41f09c2d3e4b5f6"',
  });

export const ApiMutationHeaders = () => applyDecorators(ApiIdempotencyKey(), ApiIfMatch());
