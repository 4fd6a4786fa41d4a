import {
  PACKAGES,
  packageOf,
  type LoadedManifest,
  type RenderedObject,
} from '../manifests/index.js';
import { INGRESS_ANNOTATION } from '../../charts/cloud-run-service-chart.js';
import { PROJECT_ID_ANNOTATION as PROJECT_ANNOTATION } from '../../charts/environment.js';
import { problem, walk, type Problem } from './problem.js';

/** Google's basic roles, and BigQuery's legacy dataset roles that map onto them. */
const PRIMITIVE_ROLES = new Set([
  'roles/owner',
  'roles/editor',
  'roles/viewer',
  'OWNER',
  'WRITER',
  'READER',
]);
const PUBLIC_MEMBERS =
  /^(?:(?:user|group|serviceAccount|domain):)?(allUsers|allAuthenticatedUsers)$/;

/** Names of environment variables or fields that must never carry a literal value. */
const SECRET_NAME =
  /(secret|password|passwd|api[_-]?key|private[_-]?key|access[_-]?key|client[_-]?secret|credential|auth[_-]?token|bearer)/i;
/** Values that are credentials whatever field holds them. */
const SECRET_VALUES: readonly [RegExp, string][] = [
  [/-----BEGIN [A-Z ]*PRIVATE KEY-----/, 'a PEM private key'],
  [/\bAIza[0-9A-Za-z_-]{35}\b/, 'a Google API key'],
  [/"type"\s*:\s*"service_account"/, 'a service account key file'],
  [/\bgh[pousr]_[A-Za-z0-9]{36,}\b/, 'a GitHub token'],
  [/\bxox[abpr]-[A-Za-z0-9-]{10,}/, 'a Slack token'],
  [/\bAKIA[0-9A-Z]{16}\b/, 'an AWS access key'],
  [/:\/\/[^/\s:@]+:[^/\s@]+@/, 'a URL with a password'],
];

type Rule = (manifest: LoadedManifest, all: readonly LoadedManifest[]) => Problem[];

const isKnativeService = (o: RenderedObject) =>
  o.kind === 'Service' && o.apiVersion.startsWith('serving.knative.dev/');

const get = (value: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>(
    (v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined),
    value,
  );

/** Policy rules of ARCHITECTURE.md, "Security posture". Each returns the violations it finds. */
export const POLICY_RULES: Readonly<Record<string, Rule>> = {
  'no-primitive-roles': (m) => {
    const found: Problem[] = [];
    walk(m.object.spec, (value, path, key) => {
      if (key === 'role' && typeof value === 'string' && PRIMITIVE_ROLES.has(value)) {
        found.push(
          problem(
            'no-primitive-roles',
            m,
            `spec.${path}`,
            `basic role ${value}; grant a predefined role on the resource instead`,
          ),
        );
      }
    });
    return found;
  },

  'no-public-members': (m) => {
    const found: Problem[] = [];
    walk(m.object.spec, (value, path) => {
      const match = typeof value === 'string' ? PUBLIC_MEMBERS.exec(value) : null;
      if (match) {
        found.push(
          problem('no-public-members', m, `spec.${path}`, `${match[1]} makes the resource public`),
        );
      }
    });
    return found;
  },

  'oidc-on-push': (m) => {
    const o = m.object;
    if (o.kind !== 'PubSubSubscription' || !get(o, ['spec', 'pushConfig'])) return [];
    return get(o, ['spec', 'pushConfig', 'oidcToken', 'serviceAccountEmail'])
      ? []
      : [
          problem(
            'oidc-on-push',
            m,
            'spec.pushConfig.oidcToken',
            'push subscription without an OIDC token; the endpoint could not authenticate Pub/Sub',
          ),
        ];
  },

  'oidc-on-scheduler': (m) => {
    const o = m.object;
    if (o.kind !== 'CloudSchedulerJob' || !get(o, ['spec', 'httpTarget'])) return [];
    return get(o, ['spec', 'httpTarget', 'oidcToken', 'serviceAccountRef'])
      ? []
      : [
          problem(
            'oidc-on-scheduler',
            m,
            'spec.httpTarget.oidcToken',
            'scheduler HTTP target without an OIDC token',
          ),
        ];
  },

  'writers-internal': (m, all) => {
    const o = m.object;
    if (!isKnativeService(o)) return [];
    const name = o.metadata.name;
    const pushed = all.some((other) => {
      const endpoint = get(other.object, ['spec', 'pushConfig', 'pushEndpoint']);
      return typeof endpoint === 'string' && new RegExp(`//${name}[-.:/]`).test(endpoint);
    });
    if (!pushed && !name.includes('writer')) return [];
    const ingress = o.metadata.annotations?.[INGRESS_ANNOTATION];
    return ingress === 'internal'
      ? []
      : [
          problem(
            'writers-internal',
            m,
            `metadata.annotations.${INGRESS_ANNOTATION}`,
            `a push-receiving writer must have ingress "internal", found ${JSON.stringify(ingress ?? null)}`,
          ),
        ];
  },

  'no-secrets': (m) => {
    const found: Problem[] = [];
    walk(m.object, (value, path, key) => {
      if (typeof value === 'string') {
        for (const [pattern, what] of SECRET_VALUES) {
          if (pattern.test(value))
            found.push(problem('no-secrets', m, path, `looks like ${what}; use Secret Manager`));
        }
        if (SECRET_NAME.test(key) && value !== '') {
          found.push(
            problem(
              'no-secrets',
              m,
              path,
              `field ${key} holds a literal value; use Secret Manager`,
            ),
          );
        }
      } else if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
        // Environment variables: `{name: API_KEY, value: …}`.
        const entry = value as { name?: unknown; value?: unknown };
        if (
          typeof entry.name === 'string' &&
          SECRET_NAME.test(entry.name) &&
          typeof entry.value === 'string'
        ) {
          found.push(
            problem(
              'no-secrets',
              m,
              `${path}.value`,
              `${entry.name} holds a literal value; use Secret Manager`,
            ),
          );
        }
      }
    });
    return found;
  },

  'namespace-has-project': (m, all) => {
    const o = m.object;
    if (o.kind === 'Namespace') {
      return o.metadata.annotations?.[PROJECT_ANNOTATION]
        ? []
        : [
            problem(
              'namespace-has-project',
              m,
              `metadata.annotations.${PROJECT_ANNOTATION}`,
              'namespace without its Google Cloud project',
            ),
          ];
    }
    // A Config Connector object must sit in a namespace this environment declares (and annotates).
    const namespace = o.metadata.namespace;
    if (!o.apiVersion.includes('cnrm.cloud.google.com') || !namespace) return [];
    if (!(PACKAGES as readonly string[]).includes(packageOf(m))) return [];
    const declared = all.some(
      (x) => x.object.kind === 'Namespace' && x.object.metadata.name === namespace,
    );
    return declared
      ? []
      : [
          problem(
            'namespace-has-project',
            m,
            'metadata.namespace',
            `namespace ${namespace} is not declared (with its project) in this environment`,
          ),
        ];
  },
};

export function checkPolicies(manifests: readonly LoadedManifest[]): Problem[] {
  return manifests.flatMap((m) =>
    Object.values(POLICY_RULES).flatMap((rule) => rule(m, manifests)),
  );
}
