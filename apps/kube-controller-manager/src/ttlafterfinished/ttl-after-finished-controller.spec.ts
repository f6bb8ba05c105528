import type { JobObject } from '@app/kube-client';
import { expiresAt } from './ttl-after-finished-controller';

const job = (ttl: number | undefined, condition?: string): JobObject => ({
  metadata: { name: 'pi' },
  spec: { template: {}, ttlSecondsAfterFinished: ttl },
  status: condition
    ? {
        conditions: [
          { type: condition, status: 'True', lastTransitionTime: '2026-01-01T00:00:00Z' },
        ],
      }
    : {},
});

describe('ttl-after-finished expiry', () => {
  it('is the finish time plus the TTL, only for finished Jobs with a TTL', () => {
    expect(expiresAt(job(30, 'Complete'))).toBe(Date.parse('2026-01-01T00:00:30Z'));
    expect(expiresAt(job(0, 'Failed'))).toBe(Date.parse('2026-01-01T00:00:00Z'));
    expect(expiresAt(job(30))).toBeUndefined();
    expect(expiresAt(job(undefined, 'Complete'))).toBeUndefined();
  });
});
