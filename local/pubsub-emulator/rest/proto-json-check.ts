import protobuf from 'protobufjs';
import { errors } from '../errors.js';

// proto3-json-serializer (the converter google-gax uses) skips unknown names and coerces bad values
// silently; the real API answers 400. This walk gives those answers first, with Google's wording.

type Json = Record<string, unknown>;

const INTEGER = /^-?\d+$/;
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
/** Well-known types whose JSON form is a string (RFC 3339 time, "600s", "a,b"). */
const STRING_TYPES = new Set([
  'google.protobuf.Timestamp',
  'google.protobuf.Duration',
  'google.protobuf.FieldMask',
]);

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
/** `page_size` → `pageSize`: proto3 JSON accepts either spelling of a field. */
export const camelCase = (name: string) =>
  name.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());

function fullName(type: protobuf.ReflectionObject): string {
  return type.fullName.replace(/^\./, '');
}

function invalidValue(path: string, kind: string, value: unknown): Error {
  return errors.invalid(
    `Invalid value at '${path}' (${kind}), ${JSON.stringify(value) ?? String(value)}`,
  );
}

function scalarFits(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'bytes':
      return typeof value === 'string' && BASE64.test(value);
    case 'bool':
      return typeof value === 'boolean';
    case 'double':
    case 'float':
      return (
        typeof value === 'number' ||
        (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value)))
      );
    default: // the int32/int64 family: JSON numbers, or decimal strings (how int64 travels)
      return (
        (typeof value === 'number' && Number.isInteger(value)) ||
        (typeof value === 'string' && INTEGER.test(value))
      );
  }
}

function checkValue(field: protobuf.Field, value: unknown, path: string): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobuf.Enum) {
    const known =
      (typeof value === 'string' && value in resolved.values) ||
      (typeof value === 'number' && Number.isInteger(value));
    if (!known) throw invalidValue(path, `type.googleapis.com/${fullName(resolved)}`, value);
    return value;
  }
  if (resolved instanceof protobuf.Type) {
    const name = fullName(resolved);
    if (STRING_TYPES.has(name)) {
      if (typeof value !== 'string') throw invalidValue(path, `type.googleapis.com/${name}`, value);
      return value;
    }
    // Struct, Value, Any and the wrappers have JSON forms of their own: the serializer checks them.
    if (name.startsWith('google.protobuf.')) return value;
    return checkMessage(resolved, value, path);
  }
  if (!scalarFits(field.type, value))
    throw invalidValue(path, `TYPE_${field.type.toUpperCase()}`, value);
  return value;
}

function checkField(field: protobuf.Field, value: unknown, path: string): unknown {
  if (field instanceof protobuf.MapField) {
    if (!isObject(value)) throw invalidValue(path, 'TYPE_MESSAGE', value);
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, checkValue(field, item, `${path}[${key}]`)]),
    );
  }
  if (field.repeated) {
    if (!Array.isArray(value)) throw invalidValue(path, 'TYPE_MESSAGE', value);
    return value.map((item, i) => checkValue(field, item, `${path}[${i}]`));
  }
  return checkValue(field, value, path);
}

/**
 * Checks a request's JSON against its message type: unknown names and values of the wrong kind are
 * INVALID_ARGUMENT. Returns a copy with snake_case names (which proto3 JSON also accepts) renamed to
 * the camelCase the converter reads, and nulls (proto3 JSON for "default") left out.
 */
export function checkMessage(type: protobuf.Type, value: unknown, path = ''): Json {
  if (!isObject(value)) {
    throw path === ''
      ? errors.invalid('Invalid JSON payload received. Expected an object.')
      : invalidValue(path, `type.googleapis.com/${fullName(type)}`, value);
  }
  const out: Json = {};
  for (const [key, item] of Object.entries(value)) {
    const field = type.fields[key] ?? type.fields[camelCase(key)];
    if (!field) {
      const at = path === '' ? '' : ` at '${path}'`;
      throw errors.invalid(
        `Invalid JSON payload received. Unknown name "${key}"${at}: Cannot find field.`,
      );
    }
    if (item === null) continue;
    const fieldPath = path === '' ? snake(field.name) : `${path}.${snake(field.name)}`;
    out[field.name] = checkField(field, item, fieldPath);
  }
  return out;
}
