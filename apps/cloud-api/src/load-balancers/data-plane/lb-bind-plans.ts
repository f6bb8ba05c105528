import { hostAddressOf } from '@app/common';
import type { DataPlaneMode, IpFamilyName } from '@app/cloud-contracts';
import type { BindPlan } from '@app/dataplane';

/** A privileged listener port p (below net.ipv4.ip_unprivileged_port_start) maps to p + 10000. */
export const PRIVILEGED_PORT_OFFSET = 10_000;

const SHARED_IPV4 = '127.0.0.1';
const SHARED_IPV6 = '::1';

/**
 * Where one listener of a load balancer binds, for one of its public IPs.
 *
 * - Default (Linux): the IPv4 LB IP's own loopback address (203.0.113.7 → 127.203.113.7) on the
 *   listener's port. A privileged port maps to port + 10000 (then any free port); where 127/8 is
 *   not all local (macOS) the port moves to 127.0.0.1 (then any free port there).
 * - IPv6 LB IPs have no loopback image: they answer on ::1 (127.0.0.1 where there is no ::1),
 *   on the listener's port when free, otherwise on any free port.
 * - `--lb-bind <address>`: every LB shares that address, so each listener takes its own port when
 *   free and any free port otherwise.
 */
export function bindPlanFor(
  family: IpFamilyName,
  publicIp: string,
  port: number,
  lbBind?: string,
): BindPlan {
  if (lbBind) {
    return sharedPlan(lbBind, port);
  }
  if (family === 'IPv6') {
    return {
      ...sharedPlan(SHARED_IPV6, port),
      fallbacks: [
        ...sharedPlan(SHARED_IPV6, port).fallbacks!,
        { on: ['EADDRNOTAVAIL', 'EAFNOSUPPORT'], then: sharedPlan(SHARED_IPV4, port) },
      ],
    };
  }
  const own = hostAddressOf(publicIp) ?? SHARED_IPV4;
  const anyPort = { on: ['EACCES', 'EADDRINUSE'], then: { address: own, port: 0 } };
  const mapped = port + PRIVILEGED_PORT_OFFSET;
  return {
    address: own,
    port,
    fallbacks: [
      {
        on: ['EACCES'],
        then: mapped <= 65535 ? { address: own, port: mapped, fallbacks: [anyPort] } : anyPort.then,
      },
      { on: ['EADDRNOTAVAIL'], then: sharedPlan(SHARED_IPV4, port) },
    ],
  };
}

/** An address shared by many load balancers: the listener's port if free, else any. */
function sharedPlan(address: string, port: number): BindPlan {
  return {
    address,
    port,
    fallbacks: [{ on: ['EACCES', 'EADDRINUSE'], then: { address, port: 0 } }],
  };
}

/** The families a load balancer's listeners bind for: one shared socket per listener with --lb-bind. */
export function boundFamilies(families: IpFamilyName[], lbBind?: string): IpFamilyName[] {
  return lbBind ? families.slice(0, 1) : families;
}

/** Where the first public IP answers before anything is bound (the plan's first address). */
export function plannedAddress(family: IpFamilyName, publicIp: string, lbBind?: string): string {
  return bindPlanFor(family, publicIp, 1, lbBind).address;
}

/** `bind` with --lb-bind; `localhost` when the first family landed on 127.0.0.1 / ::1; else `loopback`. */
export function modeOf(address: string, lbBind?: string): DataPlaneMode {
  if (lbBind) {
    return 'bind';
  }
  return address === SHARED_IPV4 || address === SHARED_IPV6 ? 'localhost' : 'loopback';
}
