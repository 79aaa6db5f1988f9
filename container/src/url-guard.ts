/**
 * The SSRF guard: the worker fetches only from the configured OCP origins, and only from public
 * addresses. Checked twice: the URL (scheme, host, port) before any request and for every redirect,
 * and the address the socket actually connects to (through the request's DNS lookup), so a name
 * that resolves or rebinds to an internal address is refused too.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { UrlNotAllowedError } from './errors.ts';

/** What to do with private, loopback and link-local addresses. */
export type PrivateAddressPolicy =
  /** Never connect to them. */
  | 'deny'
  /** Loopback only, and only for an allowed origin whose host is itself loopback (local mode serves OCP on 127.0.0.1). */
  | 'loopback-hosts'
  /** Connect to them (OCP reached through a VPC endpoint). Host, scheme and port are still checked. */
  | 'allow';

export interface AllowedOrigin {
  protocol: 'http:' | 'https:';
  hostname: string;
  port: number;
}

/** Parses `ocp.example.com`, `https://ocp.example.com:8443` or `http://127.0.0.1:4010`; a bare host means https on 443. */
export function parseAllowedOrigin(entry: string): AllowedOrigin {
  const text = entry.trim();
  const url = new URL(text.includes('://') ? text : `https://${text}`);
  if (url.protocol !== 'https:' && url.protocol !== 'http:')
    throw new Error(`Allowed download origin "${entry}" must use http or https.`);
  if (url.pathname !== '/' || url.search || url.username)
    throw new Error(`Allowed download origin "${entry}" must be a scheme, host and optional port only.`);
  return { protocol: url.protocol, hostname: normaliseHost(url.hostname), port: effectivePort(url) };
}

function effectivePort(url: URL): number {
  if (url.port) return Number(url.port);
  return url.protocol === 'https:' ? 443 : 80;
}

function normaliseHost(hostname: string): string {
  return hostname.replace(/^\[|\]$/g, '').toLowerCase();
}

const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

// Every range that is not the public internet: RFC 1918, CGNAT, loopback, link-local (including the
// 169.254.169.254 metadata endpoint), benchmarking, multicast, reserved, and their IPv6 counterparts.
const nonPublic = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8], ['10.0.0.0', 8], ['100.64.0.0', 10], ['127.0.0.0', 8], ['169.254.0.0', 16],
  ['172.16.0.0', 12], ['192.0.0.0', 24], ['192.0.2.0', 24], ['192.168.0.0', 16], ['198.18.0.0', 15],
  ['198.51.100.0', 24], ['203.0.113.0', 24], ['224.0.0.0', 4], ['240.0.0.0', 4],
] as const) nonPublic.addSubnet(net, bits, 'ipv4');
for (const [net, bits] of [
  ['::', 128], ['::1', 128], ['fc00::', 7], ['fe80::', 10], ['fec0::', 10], ['ff00::', 8], ['2001:db8::', 32], ['100::', 64],
] as const) nonPublic.addSubnet(net, bits, 'ipv6');

/** IPv4 hidden inside IPv6 (::ffff:a.b.c.d, NAT64 64:ff9b::/96) is judged as the IPv4 it carries. */
function unwrap(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const lower = address.toLowerCase();
  const mapped = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/.exec(lower);
  if (mapped?.[1]) return { address: mapped[1], family: 'ipv4' };
  const hexMapped = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(lower);
  if (hexMapped?.[1] && hexMapped[2]) {
    const hi = parseInt(hexMapped[1], 16);
    const lo = parseInt(hexMapped[2], 16);
    return { address: `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`, family: 'ipv4' };
  }
  return { address: lower, family: isIP(lower) === 6 ? 'ipv6' : 'ipv4' };
}

export type Resolver = (hostname: string) => Promise<LookupAddress[]>;

const systemResolver: Resolver = (hostname) =>
  new Promise((resolve, reject) => dnsLookup(hostname, { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

export class UrlGuard {
  private readonly origins: AllowedOrigin[];

  constructor(
    origins: readonly (AllowedOrigin | string)[],
    private readonly privateAddresses: PrivateAddressPolicy = 'loopback-hosts',
    private readonly resolver: Resolver = systemResolver,
  ) {
    this.origins = origins.map((o) => (typeof o === 'string' ? parseAllowedOrigin(o) : o));
    if (this.origins.length === 0) throw new Error('The download guard needs at least one allowed OCP origin.');
  }

  /** Checks scheme, host and port; returns the origin it matched. Throws UrlNotAllowed. */
  checkUrl(raw: string | URL): { url: URL; origin: AllowedOrigin } {
    let url: URL;
    try {
      url = typeof raw === 'string' ? new URL(raw) : raw;
    } catch {
      throw new UrlNotAllowedError(`The download URL is not a valid URL.`);
    }
    const hostname = normaliseHost(url.hostname);
    const port = url.protocol === 'http:' || url.protocol === 'https:' ? effectivePort(url) : -1;
    const origin = this.origins.find((o) => o.protocol === url.protocol && o.hostname === hostname && o.port === port);
    if (!origin) {
      throw new UrlNotAllowedError(
        `Refusing to download from ${url.protocol}//${url.host}: it is not one of the allowed OCP origins (${this.describeOrigins()}). ` +
          'If OCP moved, add its origin to ALLOWED_DOWNLOAD_HOSTS.',
        { origin: `${url.protocol}//${url.host}` },
      );
    }
    if (url.username || url.password) throw new UrlNotAllowedError('Refusing a download URL that carries credentials in its authority.');
    if (isIP(hostname)) this.checkAddress(hostname, origin);
    return { url, origin };
  }

  /** Throws UrlNotAllowed when the address is not one this origin may reach. */
  checkAddress(address: string, origin: AllowedOrigin): void {
    if (this.privateAddresses === 'allow') return;
    const ip = unwrap(address);
    if (!nonPublic.check(ip.address, ip.family)) return;
    if (this.privateAddresses === 'loopback-hosts' && this.isLoopbackOrigin(origin) && loopback.check(ip.address, ip.family)) return;
    throw new UrlNotAllowedError(
      `Refusing to connect to ${origin.hostname}: it resolves to ${address}, a private, loopback or link-local address. ` +
        `DOWNLOAD_PRIVATE_ADDRESSES is "${this.privateAddresses}"; use "allow" only when OCP is reached through a private endpoint.`,
      { host: origin.hostname, address },
    );
  }

  /**
   * A `lookup` for http.request: resolves the name and refuses it when any address is not allowed,
   * so the check applies to the address the socket uses, not to an earlier resolution.
   */
  lookupFor(origin: AllowedOrigin) {
    return (hostname: string, options: { all?: boolean; family?: number | string }, callback: LookupCallback): void => {
      this.resolver(hostname).then(
        (addresses) => {
          try {
            if (addresses.length === 0) throw new UrlNotAllowedError(`${hostname} resolved to no address.`);
            for (const a of addresses) this.checkAddress(a.address, origin);
          } catch (err) {
            callback(err as NodeJS.ErrnoException, '', 0);
            return;
          }
          if (options.all) callback(null, addresses);
          else callback(null, addresses[0]!.address, addresses[0]!.family);
        },
        (err: NodeJS.ErrnoException) => callback(err, '', 0),
      );
    };
  }

  private isLoopbackOrigin(origin: AllowedOrigin): boolean {
    if (origin.hostname === 'localhost') return true;
    if (!isIP(origin.hostname)) return false;
    const ip = unwrap(origin.hostname);
    return loopback.check(ip.address, ip.family);
  }

  private describeOrigins(): string {
    return this.origins.map((o) => `${o.protocol}//${o.hostname}:${o.port}`).join(', ');
  }
}
