import type protobuf from 'protobufjs';
import type { PubSubServiceSet } from '../server.js';

export type HttpVerb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const VERBS: readonly HttpVerb[] = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'];

/** One REST route: a method's `google.api.http` rule, compiled. */
export interface RestRoute {
  readonly verb: HttpVerb;
  /** The rule's path template, e.g. `/v1/{topic=projects/*\/topics/*}:publish`. */
  readonly template: string;
  readonly pattern: RegExp;
  /** Request field paths the template's variables fill, in capture order (`topic`, `topic.name`). */
  readonly pathFields: readonly string[];
  /** `*`: the body is the whole request; a field path: the body is that field; `''`: no body. */
  readonly body: string;
  /** The gRPC method (Publish, Pull, …) whose handler serves the route. */
  readonly rpc: string;
  readonly service: keyof PubSubServiceSet;
  readonly requestType: protobuf.Type;
  readonly responseType: protobuf.Type;
}

interface HttpRule {
  readonly body?: string;
  readonly [verb: string]: string | undefined;
}

const SERVICES: Record<string, keyof PubSubServiceSet> = {
  'google.pubsub.v1.Publisher': 'publisher',
  'google.pubsub.v1.Subscriber': 'subscriber',
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * `projects/*` → `projects/[^/]+`; `**` spans segments. In the path's last segment a `:` starts the
 * custom verb (HttpRule syntax), so there `*` stops at one: GET `…/topics/t:publish` is not GetTopic.
 */
function segmentsPattern(segments: string, endsPath: boolean): string {
  const parts = segments.split('/');
  return parts
    .map((segment, i) => {
      if (segment === '**') return '.+';
      if (segment !== '*') return escapeRegExp(segment);
      return endsPath && i === parts.length - 1 ? '[^/:]+' : '[^/]+';
    })
    .join('/');
}

/** Compiles a path template (`/v1/{topic.name=projects/*\/topics/*}:detach`) to a RegExp. */
export function compileTemplate(template: string): { pattern: RegExp; fields: string[] } {
  const fields: string[] = [];
  let source = '';
  let rest = template;
  for (let open = rest.indexOf('{'); open >= 0; open = rest.indexOf('{')) {
    const close = rest.indexOf('}', open);
    const [field, segments = '*'] = rest.slice(open + 1, close).split('=');
    const after = rest.slice(close + 1);
    fields.push(field!);
    const endsPath = after === '' || after.startsWith(':');
    source += `${escapeRegExp(rest.slice(0, open))}(${segmentsPattern(segments, endsPath)})`;
    rest = after;
  }
  return { pattern: new RegExp(`^${source}${escapeRegExp(rest)}$`), fields };
}

function httpRuleOf(method: protobuf.Method): HttpRule | undefined {
  const options = (method.parsedOptions ?? []) as Record<string, unknown>[];
  return options.find((option) => '(google.api.http)' in option)?.['(google.api.http)'] as
    HttpRule | undefined;
}

/**
 * Every REST route, read from the `google.api.http` annotations in the protos (as Google's own
 * transcoding does), so paths, verbs and body mapping cannot drift from the real API. Methods
 * without a rule (StreamingPull) have no REST form.
 */
export function restRoutes(root: protobuf.Root): RestRoute[] {
  const routes: RestRoute[] = [];
  for (const [serviceName, service] of Object.entries(SERVICES)) {
    for (const method of Object.values(root.lookupService(serviceName).methods)) {
      const rule = httpRuleOf(method);
      const verb = VERBS.find((v) => rule?.[v.toLowerCase()]);
      if (!rule || !verb) continue;
      const template = rule[verb.toLowerCase()]!;
      const { pattern, fields } = compileTemplate(template);
      routes.push({
        verb,
        template,
        pattern,
        pathFields: fields,
        body: rule.body ?? '',
        rpc: method.name,
        service,
        requestType: method.resolvedRequestType!,
        responseType: method.resolvedResponseType!,
      });
    }
  }
  return routes;
}

export type RouteMatch =
  | { readonly route: RestRoute; readonly pathValues: readonly string[] }
  | { readonly allowed: readonly HttpVerb[] }
  | undefined;

/** The route for `verb path`; for a known path under another verb, the verbs it allows. */
export function matchRoute(routes: readonly RestRoute[], verb: string, path: string): RouteMatch {
  const allowed: HttpVerb[] = [];
  for (const route of routes) {
    const match = route.pattern.exec(path);
    if (!match) continue;
    if (route.verb === verb) {
      return { route, pathValues: match.slice(1).map((value) => decodeURIComponent(value)) };
    }
    allowed.push(route.verb);
  }
  return allowed.length > 0 ? { allowed } : undefined;
}
