import { Matches } from 'class-validator';

/** Go-style durations as upstream flags take them: `5s`, `10s`, `5m`, `1h30m`, `500ms`. */
export const DURATION = /^(\d+(\.\d+)?(ms|s|m|h))+$/;
export const DURATION_MESSAGE = { message: 'must be a duration such as 500ms, 5s, 5m or 1h' };

/** Validates a Go-style duration flag (kept as a string; `parseDuration` makes milliseconds). */
export const IsGoDuration = (): PropertyDecorator => Matches(DURATION, DURATION_MESSAGE);

/** `true`/`false` strings from the command line and environment become booleans. */
export const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

/** A comma-separated flag (`--controllers=*,-route`) becomes a trimmed list. */
export const toList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' ? value.split(',').map((s) => s.trim()) : value;
