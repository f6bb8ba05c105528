/** Go's net package text for the errors a dial on loopback can meet (what upstream messages embed). */
const GO_DIAL_ERRORS: Record<string, string> = {
  ECONNREFUSED: 'connect: connection refused',
  ECONNRESET: 'read: connection reset by peer',
  EHOSTUNREACH: 'connect: no route to host',
  ENETUNREACH: 'connect: network is unreachable',
  EADDRNOTAVAIL: 'connect: cannot assign requested address',
  ETIMEDOUT: 'i/o timeout',
};

/** The tail of Go's `dial tcp <addr>: …` error for a Node socket error. */
export function goDialErrorText(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code ?? '';
  return GO_DIAL_ERRORS[code] ?? (error instanceof Error ? error.message : String(error));
}
