/**
 * Protobuf wire-format writing primitives shared by the hand-written encoders
 * (`encode-received.ts`, `publish-codec.ts`): sizes first, then bytes written into a buffer the
 * caller allocated exactly, so no writer object or intermediate buffer is made per message.
 */

/** Digits of a non-negative integer below 2^53 in `base` (128: varint bytes, 10: decimal). */
function digitCount(n: number, base: number): number {
  let size = 1;
  while (n >= base) {
    n = Math.floor(n / base);
    size += 1;
  }
  return size;
}

/** Bytes of a varint (every length, count and time here). */
export const varintSize = (n: number): number => digitCount(n, 128);
export const decimalSize = (n: number): number => digitCount(n, 10);

/** Bytes of a length-delimited field (tag, length, body) whose body is `bytes` long. */
export function lengthDelimitedSize(bytes: number): number {
  return 1 + varintSize(bytes) + bytes;
}

export function writeVarint(buf: Buffer, pos: number, n: number): number {
  while (n >= 128) {
    buf[pos++] = (n % 128) | 128;
    n = Math.floor(n / 128);
  }
  buf[pos++] = n;
  return pos;
}

/** ASCII strings (ack ids, message ids) byte by byte: cheaper than a native call for ~20 bytes. */
export function writeAscii(buf: Buffer, pos: number, s: string): number {
  for (let i = 0; i < s.length; i += 1) buf[pos++] = s.charCodeAt(i);
  return pos;
}

/** Writes `n` in decimal into exactly `size` bytes (from `decimalSize`). */
export function writeDecimal(buf: Buffer, pos: number, n: number, size: number): number {
  for (let i = pos + size - 1; i >= pos; i -= 1) {
    buf[i] = 48 + (n % 10);
    n = Math.floor(n / 10);
  }
  return pos + size;
}

export function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i += 1) if (s.charCodeAt(i) > 127) return false;
  return true;
}
