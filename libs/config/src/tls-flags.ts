import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, MinLength } from 'class-validator';

export const TLS_MODES = ['auto', 'off'] as const;
export type TlsMode = (typeof TLS_MODES)[number];

/** `--tls` alone (commander gives `true`) or `true` means `auto`; `false` means `off`. */
export const toTlsMode = ({ value }: { value: unknown }): unknown =>
  value === true || value === 'true'
    ? 'auto'
    : value === false || value === 'false'
      ? 'off'
      : value;

/** `a,b` and repeated options (`--tls-san a --tls-san b`) become one list. */
export const toNameList = ({ value }: { value: unknown }): unknown =>
  typeof value === 'string' || Array.isArray(value)
    ? ([] as unknown[])
        .concat(value)
        .flatMap((v) => (typeof v === 'string' ? v.split(',') : [v]))
        .map((v) => (typeof v === 'string' ? v.trim() : v))
        .filter((v) => v !== '')
    : value;

/** Commander argument parser for a repeatable, comma-separated option. */
export function collectNames(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), ...value.split(',').map((v) => v.trim())].filter((v) => v !== '');
}

/**
 * How a Nimbus server serves HTTPS: `--tls auto` generates a CA and a serving certificate in the
 * data dir; `--tls-cert`/`--tls-key` bring the user's own; `--tls-san` adds names to a generated one.
 * Combinations are checked when the server starts (one message naming the option).
 */
export class ServingTlsFlags {
  @IsOptional()
  @Transform(toTlsMode)
  @IsIn(TLS_MODES, { message: 'must be auto or off (--tls alone means auto)' })
  tls?: TlsMode;

  @IsOptional()
  @IsString()
  @MinLength(1)
  tlsCert?: string;

  @IsOptional()
  @IsString()
  @MinLength(1)
  tlsKey?: string;

  @Transform(toNameList)
  @IsString({ each: true })
  tlsSan: string[] = [];
}
