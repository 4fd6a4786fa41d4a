import { isIP } from 'node:net';
import {
  boolean,
  coerce,
  defaulted,
  integer,
  min,
  number,
  optional,
  refine,
  string,
} from 'superstruct';

/** Reusable environment-variable types for `loadConfig`: text in, typed values out. */

const trimmed = (value: string) => value.trim();

/** RFC 1123 host name: dot-separated labels of letters, digits and inner hyphens. */
const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/i;

/** A TCP port; `PORT` on Cloud Run. */
export const Port = coerce(
  refine(integer(), 'Port', (n) => (n >= 0 && n <= 65_535 ? true : 'must be 0–65535')),
  string(),
  (text) => (/^\d+$/.test(text.trim()) ? Number(text) : NaN),
);

/**
 * `HOST`: the address a service listens on, an IP literal (IPv6 with or without brackets) or a
 * host name. Unset or empty means every interface, which Cloud Run needs; the local stack sets
 * 127.0.0.1 (docs/local-stack.md).
 */
export const ListenHost = coerce(
  optional(
    refine(string(), 'ListenHost', (s) =>
      isIP(s) !== 0 || HOST_NAME.test(s) ? true : 'must be an IP address or a host name',
    ),
  ),
  string(),
  (text) => (text.trim() === '' ? undefined : text.trim().replace(/^\[(.*)\]$/, '$1')),
);

/** `true`/`false` (also 1/0, yes/no), case-insensitive. */
export const Flag = coerce(boolean(), string(), (text) => {
  const value = text.trim().toLowerCase();
  if (['true', '1', 'yes'].includes(value)) return true;
  if (['false', '0', 'no', ''].includes(value)) return false;
  return value as unknown as boolean;
});

/** A whole number ≥ `least`. */
export function Count(least = 0) {
  return coerce(min(integer(), least), string(), (text) =>
    /^-?\d+$/.test(text.trim()) ? Number(text) : NaN,
  );
}

/**
 * `PMP_STACK_PID`: set by the local stack (`pmp start`) on the services it starts, so a service can
 * tell it has been orphaned (`serve`'s `stackPid`). Unset on Cloud Run.
 */
export const StackPid = Count(1);

/** A finite number ≥ `least` (e.g. a rate). */
export function Amount(least = 0) {
  return coerce(min(number(), least), string(), (text) =>
    text.trim() === '' ? NaN : Number(text),
  );
}

/** A non-empty string, whitespace trimmed. */
export const Name = coerce(
  refine(string(), 'Name', (s) => (s.length > 0 ? true : 'must not be empty')),
  string(),
  trimmed,
);

/** An optional string where an empty value counts as unset (Knative renders `value: ""`). */
export const OptionalText = coerce(optional(string()), string(), (text) =>
  text.trim() === '' ? undefined : text.trim(),
);

/** An http(s) URL. */
export const HttpUrl = coerce(
  refine(string(), 'HttpUrl', (s) => {
    try {
      const url = new URL(s);
      return url.protocol === 'http:' || url.protocol === 'https:' ? true : 'must be http(s)';
    } catch {
      return 'must be a URL';
    }
  }),
  string(),
  trimmed,
);

export { defaulted, optional };
