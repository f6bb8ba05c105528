/** upstream kubelet backOffPeriod and MaxContainerBackOff. */
export const BACKOFF_INITIAL_MS = 10_000;
export const BACKOFF_MAX_MS = 300_000;

interface Entry {
  backoffMs: number;
  lastUpdate: number;
}

/**
 * client-go flowcontrol.Backoff as the kubelet uses it for crashed containers and failed pulls:
 * 10 s doubling to 5 min per key; an entry older than twice the maximum (a container that ran
 * for 10 minutes) starts over.
 */
export class Backoff {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly initialMs = BACKOFF_INITIAL_MS,
    private readonly maxMs = BACKOFF_MAX_MS,
  ) {}

  /** The current back-off of `key` (0 when it has none). */
  get(key: string): number {
    return this.entries.get(key)?.backoffMs ?? 0;
  }

  /** Moves `key` to its next back-off, as of `eventTime`. */
  next(key: string, eventTime: number): number {
    const entry = this.entries.get(key);
    const backoffMs =
      !entry || this.hasExpired(eventTime, entry.lastUpdate)
        ? this.initialMs
        : Math.min(entry.backoffMs * 2, this.maxMs);
    this.entries.set(key, { backoffMs, lastUpdate: eventTime });
    return backoffMs;
  }

  /** upstream IsInBackOffSince: still inside the back-off that started at `eventTime`. */
  isInBackOffSince(key: string, eventTime: number, now: number): boolean {
    const entry = this.entries.get(key);
    if (!entry || this.hasExpired(eventTime, entry.lastUpdate)) {
      return false;
    }
    return now - eventTime < entry.backoffMs;
  }

  /** When the back-off that started at `eventTime` ends. */
  endsAt(key: string, eventTime: number): number {
    return eventTime + (this.entries.get(key)?.backoffMs ?? 0);
  }

  reset(key: string): void {
    this.entries.delete(key);
  }

  private hasExpired(eventTime: number, lastUpdate: number): boolean {
    return eventTime - lastUpdate > this.maxMs * 2;
  }
}
