import { networkInterfaces, type NetworkInterfaceInfo } from 'node:os';
import { SERVICES } from '../../core/resource-names.js';
import {
  connectHost,
  isLoopbackHost,
  isWildcardHost,
  unbracketed,
} from '../../services/shared/listen-host.js';
import { formatTable } from './format-table.js';

type Interfaces = NodeJS.Dict<NetworkInterfaceInfo[]>;

/** The addresses another machine would use to reach a socket bound to `host`. */
export function reachableAddresses(host: string, interfaces: Interfaces = networkInterfaces()) {
  if (!isWildcardHost(host)) return [unbracketed(host)];
  const ipv6Too = unbracketed(host) === '::';
  const external = Object.values(interfaces)
    .flatMap((list) => list ?? [])
    .filter((i) => !i.internal && (i.family === 'IPv4' || ipv6Too))
    .map((i) => i.address);
  return external.length > 0 ? external : ["<this machine's address>"];
}

/**
 * What `pmp start --host <addr>` prints when the services leave loopback: every service and the
 * URLs others can use, and that the dashboard answers anyone. Null when `host` is loopback.
 */
export function exposureWarning(
  host: string,
  services: readonly { readonly name: string; readonly port: number }[],
  interfaces: Interfaces = networkInterfaces(),
): string | null {
  if (isLoopbackHost(host)) return null;
  const addresses = reachableAddresses(host, interfaces);
  const urlsOf = (port: number) =>
    addresses.map((a) => `http://${connectHost(a)}:${port}`).join(' ');
  const rows = [...services]
    .sort((a, b) => a.name.localeCompare(b.name))
    .map((s) => [s.name, urlsOf(s.port)]);
  const hasDashboard = services.some((s) => s.name === SERVICES.dashboard);
  return [
    `WARNING: --host ${host}: these services are reachable from other machines on this network:`,
    formatTable(['service', 'reachable at'], rows),
    ...(hasDashboard
      ? ['The dashboard has no authentication: anyone who reaches it reads the whole warehouse.']
      : []),
    'Push and /collect endpoints still need an OIDC token from this stack; /healthz answers anyone.',
    'The emulators, the feed and the control endpoint stay on 127.0.0.1.',
  ].join('\n');
}
