import { existsSync } from 'node:fs';
import path from 'node:path';
import { ofKind, type LoadedManifest } from '../../cdk8s/manifests/index.js';
import { IMAGES } from '../../core/resource-names.js';

/** A Knative Service (or Cloud Run Job) spec reduced to what a local process needs. */
export interface ServiceSpec {
  readonly name: string;
  readonly kind: 'service' | 'job';
  readonly image: string;
  /** containers[0].env, in order. */
  readonly env: Readonly<Record<string, string>>;
  /** The entry point that image runs, relative to the repository root. */
  readonly entry: string;
}

/**
 * Which entry point each image runs: services/Dockerfile runs services/${SERVICE}/main.ts, SERVICE
 * being the image's build arg in skaffold.yaml (cdk8s/delivery.test.ts checks the two agree).
 */
export const IMAGE_ENTRIES: Readonly<Record<string, string>> = {
  [IMAGES.collector]: 'services/velib-collector/main.ts',
  [IMAGES.bqWriter]: 'services/bq-writer/main.ts',
  [IMAGES.stationInfoWriter]: 'services/station-info-writer/main.ts',
  [IMAGES.dashboard]: 'services/dashboard/main.ts',
  [IMAGES.dataQuality]: 'services/data-quality/main.ts',
  [IMAGES.replayer]: 'services/dlq-replayer/main.ts',
};

type Container = { image?: string; env?: { name?: string; value?: string }[] };

function container(object: LoadedManifest['object'], kind: 'service' | 'job'): Container {
  type Template = { spec?: { containers?: Container[]; template?: Template } };
  const spec = object.spec as { template?: Template } | undefined;
  const template = kind === 'service' ? spec?.template?.spec : spec?.template?.spec?.template?.spec;
  const first = template?.containers?.[0];
  if (!first?.image)
    throw new Error(`${object.kind} ${object.metadata.name}: no containers[0].image`);
  return first;
}

/**
 * The Cloud Run services and jobs of `clusters/<env>/cloud-run/`, with their entry points; images
 * with no known entry point, or whose entry point is not in this checkout, are left out and named
 * in `skipped`.
 */
export function serviceSpecsOf(
  manifests: readonly LoadedManifest[],
  root: string,
): { specs: ServiceSpec[]; skipped: string[] } {
  const specs: ServiceSpec[] = [];
  const skipped: string[] = [];
  const all = [
    ...ofKind(manifests, 'Service')
      .filter((m) => m.object.apiVersion.startsWith('serving.knative.dev/'))
      .map((m) => ({ m, kind: 'service' as const })),
    ...ofKind(manifests, 'Job')
      .filter((m) => m.object.apiVersion.startsWith('run.googleapis.com/'))
      .map((m) => ({ m, kind: 'job' as const })),
  ];
  for (const { m, kind } of all) {
    const c = container(m.object, kind);
    const entry = IMAGE_ENTRIES[c.image!];
    if (!entry || !existsSync(path.join(root, entry))) {
      skipped.push(m.object.metadata.name);
      continue;
    }
    const env: Record<string, string> = {};
    for (const e of c.env ?? []) if (e.name) env[e.name] = e.value ?? '';
    specs.push({ name: m.object.metadata.name, kind, image: c.image!, env, entry });
  }
  return { specs, skipped };
}
