import type { DataPlaneClock } from './types';

interface Pin {
  backend: string;
  lastUsed: number;
}

/**
 * ClientIP session affinity (kube-proxy `sessionAffinity: ClientIP`, IPVS persistence): a client
 * keeps its backend until it has opened nothing for `timeoutMs` of clock time. Every new
 * connection, the end of one, and every UDP datagram refresh the pin, like iptables' `recent`
 * match with `--reap`.
 */
export class AffinityTable {
  private readonly pins = new Map<string, Pin>();

  constructor(
    private timeoutMs: number,
    private readonly clock: DataPlaneClock,
  ) {}

  setTimeout(timeoutMs: number): void {
    this.timeoutMs = timeoutMs;
  }

  /** The client's backend while its pin is fresh. */
  lookup(client: string): string | undefined {
    const pin = this.pins.get(client);
    if (!pin) {
      return undefined;
    }
    if (this.clock.now() - pin.lastUsed >= this.timeoutMs) {
      this.pins.delete(client);
      return undefined;
    }
    return pin.backend;
  }

  pin(client: string, backend: string): void {
    this.pins.set(client, { backend, lastUsed: this.clock.now() });
  }

  /** Refreshes the client's pin if it still points at `backend`. */
  touch(client: string, backend: string): void {
    const pin = this.pins.get(client);
    if (pin?.backend === backend) {
      pin.lastUsed = this.clock.now();
    }
  }

  /** The backend left: its clients choose again. */
  forgetBackend(backend: string): void {
    for (const [client, pin] of this.pins) {
      if (pin.backend === backend) {
        this.pins.delete(client);
      }
    }
  }

  /** Drops expired pins (memory only; lookups already ignore them). */
  sweep(): void {
    const now = this.clock.now();
    for (const [client, pin] of this.pins) {
      if (now - pin.lastUsed >= this.timeoutMs) {
        this.pins.delete(client);
      }
    }
  }

  get size(): number {
    return this.pins.size;
  }
}
