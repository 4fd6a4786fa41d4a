import { fromProto3JSON, toProto3JSON } from 'proto3-json-serializer';
import type protobuf from 'protobufjs';
import { errors } from '../errors.js';
import type { RestRoute } from './http-rules.js';
import { camelCase, checkMessage } from './proto-json-check.js';

// REST is transcoded to the gRPC wire and back, as Google's front end does: the request becomes the
// protobuf bytes a gRPC client would send, so the gRPC handler (with its own decoder) serves it.

type Json = Record<string, unknown>;

/** Query parameters every Google REST API accepts that are not request fields. */
const SYSTEM_PARAMETERS = new Set([
  'alt',
  'prettyPrint',
  'key',
  'access_token',
  'oauth_token',
  'fields',
  'callback',
  'quotaUser',
  'userIp',
  'uploadType',
  'upload_protocol',
]);

export interface RestRequest {
  readonly pathValues: readonly string[];
  readonly query: URLSearchParams;
  /** The parsed JSON body, for routes that take one. */
  readonly body?: Json;
}

/** Sets `a.b.c` in a nested JSON object. */
function setPath(target: Json, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = target;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    node = (typeof next === 'object' && next !== null ? next : (node[key] = {})) as Json;
  }
  node[keys.at(-1)!] = value;
}

/** Query values are text; a bool field needs `true`/`false` as JSON booleans. */
function queryValue(type: protobuf.Type, path: string, raw: string): unknown {
  let current: protobuf.Type | undefined = type;
  let field: protobuf.Field | undefined;
  for (const key of path.split('.')) {
    field = current?.fields[key];
    current =
      field?.resolvedType && 'fields' in field.resolvedType
        ? (field.resolvedType as protobuf.Type)
        : undefined;
  }
  if (field?.type === 'bool' && (raw === 'true' || raw === 'false')) return raw === 'true';
  return raw;
}

function queryFields(route: RestRoute, query: URLSearchParams): Json {
  const json: Json = {};
  for (const name of new Set(query.keys())) {
    if (name.startsWith('$') || SYSTEM_PARAMETERS.has(name)) continue;
    const path = name.split('.').map(camelCase).join('.');
    const values = query.getAll(name).map((raw) => queryValue(route.requestType, path, raw));
    setPath(json, path, values.length === 1 ? values[0] : values);
  }
  return json;
}

/** The route's request as JSON: body (per the rule's `body`), then query fields, then path fields. */
function requestJson(route: RestRoute, request: RestRequest): Json {
  const json: Json =
    route.body === '*'
      ? { ...request.body }
      : route.body === ''
        ? {}
        : { [route.body]: request.body };
  if (route.body !== '*') Object.assign(json, queryFields(route, request.query));
  route.pathFields.forEach((field, i) => setPath(json, field, request.pathValues[i]));
  return json;
}

/** A REST request as the protobuf bytes of the route's gRPC request message. */
export function encodeRestRequest(route: RestRoute, request: RestRequest): Buffer {
  const checked = checkMessage(route.requestType, requestJson(route, request));
  let message: protobuf.Message;
  try {
    message = fromProto3JSON(route.requestType, checked as never) as protobuf.Message;
  } catch (error) {
    throw errors.invalid(`Invalid JSON payload received. ${(error as Error).message}`);
  }
  const bytes = route.requestType.encode(message).finish();
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * A gRPC response's bytes as REST JSON (base64 bytes, RFC 3339 times, int64 as strings). Enums are
 * names unless the caller asked for numbers (google-gax sends `$alt=json;enum-encoding=int`).
 */
export function decodeGrpcResponse(
  route: RestRoute,
  bytes: Uint8Array,
  options: { numericEnums: boolean },
): unknown {
  return toProto3JSON(route.responseType.decode(bytes), options);
}

/** `$alt=json;enum-encoding=int` (google-gax) asks for enums as numbers. */
export function wantsNumericEnums(query: URLSearchParams): boolean {
  return (query.get('$alt') ?? query.get('alt') ?? '').includes('enum-encoding=int');
}
