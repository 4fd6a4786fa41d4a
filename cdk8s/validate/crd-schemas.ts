import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { crdFiles } from '../import-crds.js';

// ajv-formats is CommonJS with a default export; under NodeNext the callable sits on `.default`.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

type Schema = Record<string, unknown>;

/** The ObjectMeta fields we render; the CRDs only say `metadata: {type: object}`. */
const OBJECT_META: Schema = {
  type: 'object',
  required: ['name'],
  additionalProperties: false,
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 },
    namespace: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9]*[a-z0-9])?$', maxLength: 63 },
    labels: { type: 'object', additionalProperties: { type: 'string' } },
    annotations: { type: 'object', additionalProperties: { type: 'string' } },
  },
};

const SUBSCHEMA_LISTS = ['allOf', 'anyOf', 'oneOf'] as const;

/**
 * Turns a structural openAPIV3Schema into a JSON Schema that ajv enforces the way the API server
 * prunes and validates:
 * - an object with `properties` accepts no other field (`additionalProperties: false`), unless it is
 *   marked `x-kubernetes-preserve-unknown-fields` — our manifests are applied, so an unknown field
 *   would be silently dropped; here it is an error;
 * - `x-kubernetes-int-or-string` accepts an integer or a string;
 * - other `x-kubernetes-*` markers carry no validation and are removed.
 */
export function toAjvSchema(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(toAjvSchema);
  if (node === null || typeof node !== 'object') return node;
  const source = node as Schema;
  const out: Schema = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith('x-kubernetes-')) continue;
    if (key === 'properties' || key === 'patternProperties') {
      out[key] = Object.fromEntries(
        Object.entries(value as Schema).map(([name, sub]) => [name, toAjvSchema(sub)]),
      );
    } else if (key === 'items' || key === 'additionalProperties' || key === 'not') {
      out[key] = toAjvSchema(value);
    } else if ((SUBSCHEMA_LISTS as readonly string[]).includes(key)) {
      out[key] = (value as unknown[]).map(toAjvSchema);
    } else {
      out[key] = value;
    }
  }
  if (source['x-kubernetes-int-or-string'] === true) {
    delete out.type;
    out.anyOf = [{ type: 'integer' }, { type: 'string' }];
  }
  const preserve = source['x-kubernetes-preserve-unknown-fields'] === true;
  if (out.type === 'object' && out.properties && !('additionalProperties' in out) && !preserve) {
    out.additionalProperties = false;
  }
  return out;
}

interface CrdVersion {
  readonly group: string;
  readonly kind: string;
  readonly version: string;
  readonly schema: Schema;
}

function readCrdVersions(file: string): CrdVersion[] {
  const versions: CrdVersion[] = [];
  for (const doc of parseAllDocuments(readFileSync(file, 'utf8'))) {
    const crd = doc.toJS() as {
      kind?: string;
      spec?: {
        group: string;
        names: { kind: string };
        versions: { name: string; schema?: { openAPIV3Schema?: Schema } }[];
      };
    } | null;
    if (crd?.kind !== 'CustomResourceDefinition' || !crd.spec) continue;
    for (const v of crd.spec.versions) {
      if (!v.schema?.openAPIV3Schema) continue;
      versions.push({
        group: crd.spec.group,
        kind: crd.spec.names.kind,
        version: v.name,
        schema: v.schema.openAPIV3Schema,
      });
    }
  }
  return versions;
}

/** A schema problem, with the JSON path of the field (`spec.pushConfig.oidcToken`). */
export interface SchemaProblem {
  readonly path: string;
  readonly message: string;
}

function describeError(error: ErrorObject): SchemaProblem {
  const segments = error.instancePath
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/'));
  // Same notation as the other checks: `spec.containers[0].image`.
  const at = (extra?: string) =>
    [...segments, ...(extra ? [extra] : [])]
      .map((s, i) => (/^\d+$/.test(s) ? `[${s}]` : i === 0 ? s : `.${s}`))
      .join('') || '(root)';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return {
        path: at(String(params.additionalProperty)),
        message: 'unknown field (not in the CRD schema)',
      };
    case 'required':
      return { path: at(String(params.missingProperty)), message: 'required field is missing' };
    case 'enum':
      return {
        path: at(),
        message: `must be one of ${(params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`,
      };
    default:
      return { path: at(), message: error.message ?? error.keyword };
  }
}

/**
 * The CRD schemas of `../shared/crds` and `cdk8s/crds`, compiled lazily per kind and version.
 */
export class CrdSchemas {
  private readonly versions = new Map<string, CrdVersion>();
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly ajv = new Ajv({ allErrors: true, strict: false });

  constructor(files: readonly string[] = crdFiles()) {
    addFormats(this.ajv);
    for (const file of files) {
      for (const v of readCrdVersions(file)) {
        this.versions.set(`${v.group}/${v.version}/${v.kind}`, v);
      }
    }
  }

  /** True when a CRD describes `apiVersion`/`kind`. */
  has(apiVersion: string, kind: string): boolean {
    return this.versions.has(`${apiVersion}/${kind}`);
  }

  /** Validates one object; an empty list means it conforms. */
  validate(object: { apiVersion: string; kind: string }): SchemaProblem[] {
    const key = `${object.apiVersion}/${object.kind}`;
    let validateFn = this.compiled.get(key);
    if (!validateFn) {
      const version = this.versions.get(key);
      if (!version) return [{ path: 'apiVersion', message: `no CRD defines ${key}` }];
      const schema = toAjvSchema(version.schema) as Schema;
      schema.properties = { ...(schema.properties as Schema), metadata: OBJECT_META };
      schema.required = [
        ...new Set([...((schema.required as string[]) ?? []), 'apiVersion', 'kind', 'metadata']),
      ];
      validateFn = this.ajv.compile(schema);
      this.compiled.set(key, validateFn);
    }
    if (validateFn(object)) return [];
    return (validateFn.errors ?? []).map(describeError).filter(
      // oneOf/anyOf failures repeat what their branches already said.
      (p, i, all) => all.findIndex((q) => q.path === p.path && q.message === p.message) === i,
    );
  }
}
