import { randomInt } from 'node:crypto';

// The alphabet apimachinery's utilrand.String uses (no vowels, no confusable digits).
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** utilrand.String(n): n random characters of that alphabet. */
export function randomString(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) {
    out += ALPHANUMS[randomInt(ALPHANUMS.length)];
  }
  return out;
}

/** `generateName` + 5 random characters, as the SimpleNameGenerator does. */
export function generateName(base: string): string {
  return `${base.slice(0, 58)}${randomString(5)}`;
}
