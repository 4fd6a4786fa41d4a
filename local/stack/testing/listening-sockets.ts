// Test support: the TCP sockets in LISTEN state, read from /proc (Linux), so a test can check
// which addresses a process really bound, whatever the code meant to do.
import { readFileSync, readdirSync, readlinkSync } from 'node:fs';

export interface ListeningSocket {
  /** Dotted IPv4, or IPv6 as a URL prints it (`::`, `::1`, `::ffff:127.0.0.1`). */
  readonly address: string;
  readonly port: number;
  readonly inode: number;
}

const LISTEN = '0A';

/** /proc/net/tcp prints each 32-bit word of an address in host (little-endian) byte order. */
function addressBytes(hex: string): Buffer {
  const bytes = Buffer.from(hex, 'hex');
  for (let i = 0; i < bytes.length; i += 4) bytes.subarray(i, i + 4).reverse();
  return bytes;
}

function formatAddress(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const mapped = bytes.subarray(0, 10).every((b) => b === 0) && bytes.readUInt16BE(10) === 0xffff;
  if (mapped) return `::ffff:${[...bytes.subarray(12)].join('.')}`;
  const groups = Array.from({ length: 8 }, (_, i) => bytes.readUInt16BE(i * 2).toString(16));
  return new URL(`http://[${groups.join(':')}]`).hostname.slice(1, -1);
}

/** Every LISTEN socket of this network namespace (/proc/net/tcp and tcp6). */
export function allListeningSockets(): ListeningSocket[] {
  const sockets: ListeningSocket[] = [];
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const fields = line.trim().split(/\s+/);
      if (fields.length < 10 || fields[3] !== LISTEN) continue;
      const [addressHex, portHex] = fields[1]!.split(':');
      sockets.push({
        address: formatAddress(addressBytes(addressHex!)),
        port: parseInt(portHex!, 16),
        inode: Number(fields[9]),
      });
    }
  }
  return sockets;
}

/** The socket inodes a process holds open (`/proc/<pid>/fd/* -> socket:[inode]`). */
function socketInodesOf(pid: number): Set<number> {
  const inodes = new Set<number>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed between the listing and the read
    }
    const match = /^socket:\[(\d+)\]$/.exec(target);
    if (match) inodes.add(Number(match[1]));
  }
  return inodes;
}

/** The LISTEN sockets process `pid` holds. */
export function listeningSocketsOf(pid: number): ListeningSocket[] {
  const inodes = socketInodesOf(pid);
  return allListeningSockets().filter((s) => inodes.has(s.inode));
}

/** 127.0.0.0/8, ::1, or IPv4 loopback mapped into IPv6. */
export function isLoopbackAddress(address: string): boolean {
  return /^(::ffff:)?127\.\d+\.\d+\.\d+$/.test(address) || address === '::1';
}
