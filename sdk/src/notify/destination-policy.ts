/**
 * Where a stage's notifications may connect (issue 15: a user's webhook must not reach the
 * broker's private network, the controller's own port or cloud metadata at 169.254.169.254).
 * Refused unless an operator allows them in `ALERTLAB_NOTIFY_ALLOW` (comma-separated CIDRs):
 * loopback, unspecified, link-local, private (RFC 1918, RFC 4193, CGNAT 100.64/10), multicast,
 * reserved and broadcast addresses, NAT64/IPv4-mapped forms of those, and every address of this
 * machine's interfaces. The name is resolved once; every address it resolves to must pass, and
 * the connection goes to the checked address (no second lookup to race with).
 */
import { lookup } from 'node:dns/promises';
import { networkInterfaces } from 'node:os';
import type { BlockList } from 'node:net';
import { isIP } from 'node:net';
import { inCidrs, parseCidrs, plainAddress } from '../control/rate-limit.js';

/** The operator's allow-list setting (CIDRs or addresses, comma-separated). */
export const NOTIFY_ALLOW_ENV = 'ALERTLAB_NOTIFY_ALLOW';

const FORBIDDEN: ReadonlyArray<[string, string]> = [
  ['0.0.0.0/8', 'an unspecified'],
  ['127.0.0.0/8', 'a loopback'],
  ['10.0.0.0/8', 'a private (RFC 1918)'],
  ['172.16.0.0/12', 'a private (RFC 1918)'],
  ['192.168.0.0/16', 'a private (RFC 1918)'],
  ['100.64.0.0/10', 'a shared (CGNAT)'],
  ['169.254.0.0/16', 'a link-local (cloud metadata)'],
  ['192.0.0.0/24', 'a reserved'],
  ['198.18.0.0/15', 'a reserved'],
  ['224.0.0.0/4', 'a multicast'],
  ['240.0.0.0/4', 'a reserved or broadcast'],
  ['::/128', 'an unspecified'],
  ['::1/128', 'a loopback'],
  ['fc00::/7', 'a private (RFC 4193)'],
  ['fe80::/10', 'a link-local'],
  ['ff00::/8', 'a multicast'],
  ['192.0.2.0/24', 'a documentation (TEST-NET-1)'],
  ['198.51.100.0/24', 'a documentation (TEST-NET-2)'],
  ['203.0.113.0/24', 'a documentation (TEST-NET-3)'],
  ['192.88.99.0/24', 'a reserved (6to4 relay)'],
  ['64:ff9b:1::/48', 'a local-use NAT64'],
  ['2001::/23', 'an IETF special-purpose (Teredo, ORCHID, benchmarking)'],
  ['2001:db8::/32', 'a documentation'],
  ['3fff::/20', 'a documentation']
  // IPv4-mapped IPv6 (::ffff:a.b.c.d, ::ffff:7f00:1) is matched by the IPv4 ranges (BlockList);
  // other IPv6 outside 2000::/3 is refused below, embedded IPv4 is extracted and checked again
];

const ranges = FORBIDDEN.map(([cidr, kind]) => ({ set: parseCidrs([cidr], 'policy'), kind }));

/** Raised when a destination is not allowed; the message names the setting. */
export class DestinationError extends Error {
  override readonly name = 'DestinationError';
}

/** The operator's allow-list, read from the environment (or given). */
export function allowList(raw = process.env[NOTIFY_ALLOW_ENV] ?? ''): BlockList | undefined {
  const items = raw.split(',').filter(s => s.trim() !== '');
  return items.length > 0 ? parseCidrs(items, NOTIFY_ALLOW_ENV) : undefined;
}

function ownAddresses(): Set<string> {
  const out = new Set<string>();
  for (const list of Object.values(networkInterfaces())) {
    for (const a of list ?? []) {
      out.add(plainAddress(a.address.split('%')[0]));
    }
  }
  return out;
}

/** The eight 16-bit groups of a valid IPv6 address (a trailing dotted quad allowed). */
function hextets(ip: string): number[] {
  let s = ip.toLowerCase();
  const quad = /^(.*:)(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (quad) {
    const [a, b, c, d] = quad.slice(2).map(Number);
    s = `${quad[1]}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = s.split('::');
  const head = halves[0] === '' ? [] : halves[0].split(':');
  const tail = halves.length === 2 && halves[1] !== '' ? halves[1].split(':') : [];
  const fill = halves.length === 2 ? 8 - head.length - tail.length : 0;
  return [...head, ...Array<string>(fill).fill('0'), ...tail].map(h => parseInt(h, 16));
}

/** The IPv4 address embedded in an IPv4-compatible, IPv4-mapped, 6to4 or NAT64 address. */
function embeddedIPv4(h: number[]): [string, string] | undefined {
  const v4 = (x: number, y: number): string => `${x >> 8}.${x & 255}.${y >> 8}.${y & 255}`;
  const zero = (from: number, to: number): boolean => h.slice(from, to).every(x => x === 0);
  if (zero(0, 5) && (h[5] === 0 || h[5] === 0xffff)) {
    return [v4(h[6], h[7]), h[5] === 0 ? 'an IPv4-compatible' : 'an IPv4-mapped'];
  }
  if (h[0] === 0x2002) {
    return [v4(h[1], h[2]), 'a 6to4'];
  }
  if (h[0] === 0x64 && h[1] === 0xff9b && zero(2, 6)) {
    return [v4(h[6], h[7]), 'a NAT64'];
  }
  return undefined;
}

/** Why `address` is refused (e.g. "a loopback address"), or undefined when it may be used. */
export function refusal(address: string, allow: BlockList | undefined): string | undefined {
  const ip = plainAddress(address);
  if (isIP(ip) === 0) {
    return 'not an IP address';
  }
  if (allow !== undefined && inCidrs(allow, ip)) {
    return undefined;
  }
  for (const r of ranges) {
    if (inCidrs(r.set, ip)) {
      return `${r.kind} address`;
    }
  }
  if (isIP(ip) === 6) {
    const h = hextets(ip);
    const inner = embeddedIPv4(h);
    if (inner !== undefined) {
      const why = refusal(inner[0], allow);
      if (why !== undefined) {
        return `${why} (${inner[0]}) embedded in ${inner[1]} address`;
      }
    } else if ((h[0] & 0xe000) !== 0x2000) {
      return 'a non-global (outside 2000::/3: site-local, discard-only or reserved) address';
    }
  }
  if (ownAddresses().has(ip)) {
    return "an address of this machine (the controller's own)";
  }
  return undefined;
}

/** A checked address to connect to. */
export interface CheckedAddress {
  address: string;
  family: 4 | 6;
}

/**
 * Resolves `host` once and checks every address it gives: a {@link DestinationError} naming the
 * address, its kind and the setting, or the first address to connect to.
 */
export async function checkDestination(
  host: string,
  what: string,
  allow: BlockList | undefined = allowList()
): Promise<CheckedAddress> {
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(bare) !== 0) {
    addresses = [{ address: bare, family: isIP(bare) }];
  } else {
    try {
      addresses = await lookup(bare, { all: true, verbatim: true });
    } catch (cause) {
      throw new DestinationError(
        `${what}: host "${host}" does not resolve (${(cause as NodeJS.ErrnoException).code ?? String(cause)}).`
      );
    }
  }
  for (const a of addresses) {
    const why = refusal(a.address, allow);
    if (why !== undefined) {
      const target = a.address === bare ? `"${host}" is` : `"${host}" resolves to ${a.address},`;
      throw new DestinationError(
        `${what}: ${target} ${why}; notifications may not reach loopback, link-local, private, multicast or this machine's addresses. An operator can allow it with ${NOTIFY_ALLOW_ENV}=<CIDR,...> (e.g. ${NOTIFY_ALLOW_ENV}=${a.address}/32) in the controller's and the workers' environment.`
      );
    }
  }
  const first = addresses[0];
  if (first === undefined) {
    throw new DestinationError(`${what}: host "${host}" resolves to no address.`);
  }
  return { address: plainAddress(first.address), family: first.family === 6 ? 6 : 4 };
}

/**
 * Checks the webhook URLs and email relays of a manifest's raw `notifications` (at deploy, before
 * the gate): a {@link DestinationError} for the first one not allowed. Malformed entries are left
 * to the manifest's own validation.
 */
export async function checkNotificationTargets(raw: unknown): Promise<void> {
  if (!Array.isArray(raw)) {
    return;
  }
  const allow = allowList();
  for (const [i, item] of raw.entries()) {
    if (item === null || typeof item !== 'object') {
      continue;
    }
    const n = item as { kind?: unknown; name?: unknown; url?: unknown; host?: unknown };
    const what = `notifications[${i}] (${typeof n.name === 'string' ? n.name : '?'})`;
    if (n.kind === 'webhook' && typeof n.url === 'string' && /^https?:\/\//i.test(n.url)) {
      let host: string;
      try {
        host = new URL(n.url).hostname;
      } catch {
        continue;
      }
      await checkDestination(host, what, allow);
    } else if (n.kind === 'email' && typeof n.host === 'string' && n.host !== '') {
      await checkDestination(n.host, what, allow);
    }
  }
}
