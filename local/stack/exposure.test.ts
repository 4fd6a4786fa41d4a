import type { NetworkInterfaceInfo } from 'node:os';
import { describe, expect, it } from 'vitest';
import { exposureWarning, reachableAddresses } from './exposure.js';

const nic = (address: string, family: 'IPv4' | 'IPv6', internal = false) =>
  ({ address, family, internal, netmask: '', mac: '', cidr: null }) as NetworkInterfaceInfo;
const interfaces = {
  lo: [nic('127.0.0.1', 'IPv4', true), nic('::1', 'IPv6', true)],
  eth0: [nic('192.168.1.20', 'IPv4'), nic('fe80::1', 'IPv6')],
};
const services = [
  { name: 'pmp-velib-collector', port: 41001 },
  { name: 'pmp-dashboard', port: 8080 },
];

describe('exposureWarning', () => {
  it.each(['127.0.0.1', '127.0.0.2', '::1', '[::1]', 'localhost'])(
    'says nothing for loopback %s',
    (host) => expect(exposureWarning(host, services, interfaces)).toBeNull(),
  );

  it('names every service with the URLs other machines use, and the unauthenticated dashboard', () => {
    const warning = exposureWarning('0.0.0.0', services, interfaces)!;
    expect(warning).toMatch(/^WARNING: --host 0\.0\.0\.0: these services are reachable/);
    expect(warning).toMatch(/pmp-dashboard\s+http:\/\/192\.168\.1\.20:8080\n/);
    expect(warning).toMatch(/pmp-velib-collector\s+http:\/\/192\.168\.1\.20:41001/);
    expect(warning).toContain('The dashboard has no authentication');
    expect(warning).toContain('stay on 127.0.0.1');
  });

  it('a specific address is the one URL; without the dashboard it is not mentioned', () => {
    const warning = exposureWarning('10.0.0.5', services.slice(0, 1), interfaces)!;
    expect(warning).toContain('http://10.0.0.5:41001');
    expect(warning).not.toContain('dashboard');
  });
});

describe('reachableAddresses', () => {
  it('a wildcard bind is reached through the external interfaces, IPv6 only for ::', () => {
    expect(reachableAddresses('0.0.0.0', interfaces)).toEqual(['192.168.1.20']);
    expect(reachableAddresses('::', interfaces)).toEqual(['192.168.1.20', 'fe80::1']);
    expect(reachableAddresses('0.0.0.0', { lo: interfaces.lo })).toEqual([
      "<this machine's address>",
    ]);
  });
});
