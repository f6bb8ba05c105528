import ipaddr from 'ipaddr.js';

/** A strictly written IPv4 (dotted quad) or IPv6 address; undefined otherwise. */
export function parseStrictIp(text: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined {
  if (ipaddr.IPv4.isValidFourPartDecimal(text)) {
    return ipaddr.IPv4.parse(text);
  }
  if (text.includes(':') && ipaddr.IPv6.isValid(text)) {
    return ipaddr.IPv6.parse(text);
  }
  return undefined;
}

export function ipFamilyOf(text: string): 'IPv4' | 'IPv6' | undefined {
  const ip = parseStrictIp(text);
  return ip === undefined ? undefined : ip.kind() === 'ipv4' ? 'IPv4' : 'IPv6';
}

/**
 * Canonical text of a CIDR with host bits cleared (RFC 5952 for IPv6), as the cloud stores it;
 * undefined when `text` is not a CIDR.
 */
export function canonicalCidr(text: string): string | undefined {
  const slash = text.indexOf('/');
  if (slash < 0 || !/^\d{1,3}$/.test(text.slice(slash + 1))) {
    return undefined;
  }
  const address = parseStrictIp(text.slice(0, slash));
  const prefix = Number(text.slice(slash + 1));
  if (address === undefined || prefix > (address.kind() === 'ipv4' ? 32 : 128)) {
    return undefined;
  }
  const cidr = `${address.toString()}/${prefix}`;
  if (address.kind() === 'ipv4') {
    return `${ipaddr.IPv4.networkAddressFromCIDR(cidr).toString()}/${prefix}`;
  }
  return `${ipaddr.IPv6.networkAddressFromCIDR(cidr).toRFC5952String()}/${prefix}`;
}

/** Canonical text of an address (RFC 5952 for IPv6); the input when it is not one. */
export function canonicalIp(text: string): string {
  const ip = parseStrictIp(text);
  if (ip === undefined) {
    return text;
  }
  return ip.kind() === 'ipv4' ? ip.toString() : (ip as ipaddr.IPv6).toRFC5952String();
}
