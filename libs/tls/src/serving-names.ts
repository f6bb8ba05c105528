import { isIP } from 'node:net';
import { hostname, networkInterfaces } from 'node:os';

/** The names a serving certificate covers: DNS names and IP addresses (SANs). */
export interface ServingNames {
  dnsNames: string[];
  ips: string[];
}

/** A DNS name (RFC 1123, an optional leading `*.` wildcard), as a SAN may hold it. */
const DNS_NAME =
  /^(\*\.)?([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i;

/** `[::1]` → `::1`: hosts may come bracketed from URLs. */
function unbracket(host: string): string {
  return host.replace(/^\[(.*)\]$/, '$1');
}

/** 0.0.0.0 and :: listen on every address. */
export function isWildcardHost(host: string): boolean {
  const bare = unbracket(host.trim());
  return bare === '' || bare === '0.0.0.0' || bare === '::';
}

/** Only this machine can reach a listener on this host (127/8, ::1, localhost). */
export function isLoopbackHost(host: string): boolean {
  const bare = unbracket(host.trim()).toLowerCase();
  if (bare === 'localhost' || bare.endsWith('.localhost')) {
    return true;
  }
  if (isIP(bare) === 4) {
    return bare.startsWith('127.');
  }
  return bare === '::1' || /^::ffff:127\./.test(bare);
}

/** True for an IP address or a DNS name a certificate can carry. */
export function isValidServingName(name: string): boolean {
  const bare = unbracket(name);
  return isIP(bare) !== 0 || (bare.length <= 253 && DNS_NAME.test(bare));
}

/**
 * What a server's certificate must name: `base` (always localhost, 127.0.0.1 and ::1 plus what the
 * caller adds), the listen host — for a wildcard host every address of this machine and its host
 * name, since clients may dial any of them — and `extras` (e.g. a LAN IP, host.docker.internal).
 * Link-local IPv6 addresses are left out: they need a zone and no client dials them by name.
 */
export function servingNames(
  host: string,
  extras: readonly string[] = [],
  base: Partial<ServingNames> = {},
): ServingNames {
  const names: ServingNames = {
    dnsNames: ['localhost', ...(base.dnsNames ?? [])],
    ips: ['127.0.0.1', '::1', ...(base.ips ?? [])],
  };
  const add = (name: string) => {
    const bare = unbracket(name.trim());
    if (bare === '' || isWildcardHost(bare)) {
      return;
    }
    (isIP(bare) ? names.ips : names.dnsNames).push(isIP(bare) ? bare : bare.toLowerCase());
  };
  if (isWildcardHost(host)) {
    for (const address of Object.values(networkInterfaces()).flat()) {
      if (address && !address.address.toLowerCase().startsWith('fe80:')) {
        add(address.address);
      }
    }
    if (isValidServingName(hostname())) {
      add(hostname());
    }
  } else {
    add(host);
  }
  extras.forEach(add);
  return { dnsNames: [...new Set(names.dnsNames)], ips: [...new Set(names.ips)] };
}
