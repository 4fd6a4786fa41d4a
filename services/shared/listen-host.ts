import { isIP } from 'node:net';

/**
 * Address rules for a listening socket, in one place: what a bind address lets you connect to,
 * and whether it stays on this machine.
 */

/** The bare address without the brackets a URL puts around IPv6 (`[::1]` → `::1`). */
export function unbracketed(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/** Loopback for a wildcard bind address; otherwise the address itself, bracketed when IPv6. */
export function connectHost(bindHost: string): string {
  const bare = unbracketed(bindHost);
  if (bare === '0.0.0.0' || bare === '') return '127.0.0.1';
  if (bare === '::') return '[::1]';
  return isIP(bare) === 6 ? `[${bare}]` : bare;
}

/** Whether binding to `host` keeps a socket unreachable from other machines. */
export function isLoopbackHost(host: string): boolean {
  const bare = unbracketed(host).toLowerCase();
  if (bare === 'localhost' || bare === '::1') return true;
  const v4 = bare.startsWith('::ffff:') ? bare.slice('::ffff:'.length) : bare;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** Whether `host` binds every interface (`0.0.0.0`, `::`). */
export function isWildcardHost(host: string): boolean {
  const bare = unbracketed(host);
  return bare === '0.0.0.0' || bare === '::' || bare === '';
}
