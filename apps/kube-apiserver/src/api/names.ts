import { randomInt } from 'node:crypto';

// The alphabet apimachinery's utilrand.String uses (no vowels, no confusable digits).
const ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** `generateName` + 5 random characters, as the SimpleNameGenerator does. */
export function generateName(base: string): string {
  let suffix = '';
  for (let i = 0; i < 5; i++) {
    suffix += ALPHANUMS[randomInt(ALPHANUMS.length)];
  }
  return `${base.slice(0, 58)}${suffix}`;
}
