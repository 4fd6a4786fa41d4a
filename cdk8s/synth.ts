import { App, type Chart } from 'cdk8s';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';
import {
  ApisChart,
  BootstrapChart,
  BudgetChart,
  CloudRunJobChart,
  CloudRunServiceChart,
  COMPONENTS,
  IdentityChart,
  LocalClusterChart,
  MessagingChart,
  NamespaceChart,
  SchedulingChart,
  StreamingChart,
  StreamingJobChart,
  WarehouseChart,
  type RuntimeComponent,
} from '../charts/index.js';
import type { PackageName } from './manifests/index.js';
import { ENV_NAMES, loadEnvConfig, type EnvConfig, type EnvName } from './config/index.js';

const PACKAGE_DESCRIPTIONS: Record<PackageName, string> = {
  'config-sync': 'Always-on Config Connector resources; the Config Sync root (unstructured).',
  demo: 'Cost-generating objects applied and deleted by `pmp demo` (kubectl), outside Config Sync.',
  'cloud-run': 'Knative-style Cloud Run specs, applied by `gcloud run services|jobs replace`.',
  bootstrap: 'Applied once per cluster: namespace, ConfigConnectorContext, RootSync.',
  k8s: 'The local cluster for `skaffold dev -p local`: Deployments and Services.',
};

interface ChartFile {
  readonly pkg: PackageName;
  /** File name without `.yaml`. */
  readonly file: string;
  readonly source: string;
  readonly build: (app: App, id: string) => Chart;
}

/** A chart class whose props are the environment alone. */
type EnvChartClass = new (scope: App, id: string, props: { readonly config: EnvConfig }) => Chart;

/** For one environment: `<pkg>/<file>.yaml`, rendered from charts/<file>-chart.ts. */
function envChartFile(config: EnvConfig) {
  return (pkg: PackageName, file: string, ChartClass: EnvChartClass): ChartFile => ({
    pkg,
    file,
    source: `${file}-chart`,
    build: (a, id) => new ChartClass(a, id, { config }),
  });
}

/** A runtime component's Knative-style spec: a Cloud Run service or job. */
function cloudRunFile(config: EnvConfig, component: RuntimeComponent): ChartFile {
  const service = component.kind === 'service';
  return {
    pkg: 'cloud-run',
    file: component.name,
    source: service ? 'cloud-run-service-chart' : 'cloud-run-job-chart',
    build: (a, id) =>
      service
        ? new CloudRunServiceChart(a, id, { config, component })
        : new CloudRunJobChart(a, id, { config, component }),
  };
}

/** Which chart renders to which file, for one environment. */
export function chartFiles(config: EnvConfig): ChartFile[] {
  const file = envChartFile(config);
  return [
    file('config-sync', 'namespace', NamespaceChart),
    file('config-sync', 'apis', ApisChart),
    file('config-sync', 'messaging', MessagingChart),
    file('config-sync', 'warehouse', WarehouseChart),
    file('config-sync', 'identity', IdentityChart),
    file('config-sync', 'streaming', StreamingChart),
    file('demo', 'scheduling', SchedulingChart),
    file('demo', 'streaming-job', StreamingJobChart),
    ...COMPONENTS.map((component) => cloudRunFile(config, component)),
    // No budget or GKE bootstrap on a laptop; the local cluster instead.
    ...(config.name === 'local'
      ? [file('k8s', 'namespace', NamespaceChart), file('k8s', 'local-cluster', LocalClusterChart)]
      : [
          file('config-sync', 'budget', BudgetChart),
          file('bootstrap', 'bootstrap', BootstrapChart),
        ]),
  ];
}

interface K8sObject {
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly namespace?: string };
}

/** Kind, then namespace, then name: a stable order that keeps diffs to the objects that changed. */
export function compareObjects(a: K8sObject, b: K8sObject): number {
  const key = (o: K8sObject) =>
    [o.kind ?? '', o.metadata?.namespace ?? '', o.metadata?.name ?? ''] as const;
  const [ka, kb] = [key(a), key(b)];
  for (let i = 0; i < ka.length; i++) {
    if (ka[i] !== kb[i]) return ka[i]! < kb[i]! ? -1 : 1;
  }
  return 0;
}

/** YAML as we commit it: no line folding (schema JSON stays on one line), SQL as block scalars. */
export function toYaml(objects: readonly unknown[]): string {
  return objects.map((o) => stringify(o, { lineWidth: 0 })).join('---\n');
}

function kptfile(env: EnvName, pkg: PackageName): string {
  return toYaml([
    {
      apiVersion: 'kpt.dev/v1',
      kind: 'Kptfile',
      metadata: {
        name: `${env}-${pkg}`,
        annotations: { 'config.kubernetes.io/local-config': 'true' },
      },
      info: { description: PACKAGE_DESCRIPTIONS[pkg] },
    },
  ]);
}

/**
 * Renders every environment into a map of `clusters/`-relative path → file content. Pure apart from
 * reading `sql/`; nothing is written.
 */
export function renderClusters(envs: readonly EnvName[] = ENV_NAMES): Map<string, string> {
  const out = new Map<string, string>();
  for (const env of envs) {
    const config = loadEnvConfig(env);
    const app = new App();
    const packages = new Set<PackageName>();
    for (const spec of chartFiles(config)) {
      const chart = spec.build(app, `${spec.pkg}-${spec.file}`);
      const objects = (chart.toJson() as K8sObject[]).sort(compareObjects);
      const header = `# Rendered by \`npm run synth\` from charts/${spec.source}.ts for ${env}. Do not edit.\n`;
      out.set(`${env}/${spec.pkg}/${spec.file}.yaml`, header + toYaml(objects));
      packages.add(spec.pkg);
    }
    for (const pkg of packages) out.set(`${env}/${pkg}/Kptfile`, kptfile(env, pkg));
  }
  return new Map([...out.entries()].sort(([a], [b]) => (a < b ? -1 : 1)));
}

/** Files under `root` (relative paths), skipping the folder README. */
export function listFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) walk(full);
      else found.push(path.relative(root, full).split(path.sep).join('/'));
    }
  };
  walk(root);
  return found.filter((f) => f !== 'README.md').sort();
}

/** Replaces the rendered tree under `root` (keeping its README) with `files`. */
export function writeClusters(root: string, files: ReadonlyMap<string, string>): void {
  mkdirSync(root, { recursive: true });
  for (const name of readdirSync(root)) {
    if (name !== 'README.md') rmSync(path.join(root, name), { recursive: true, force: true });
  }
  for (const [relative, content] of files) {
    const target = path.join(root, relative);
    mkdirSync(path.dirname(target), { recursive: true });
    writeFileSync(target, content);
  }
}

/** Paths that differ between `root` and `files`: missing, extra or changed. Empty when in sync. */
export function diffClusters(root: string, files: ReadonlyMap<string, string>): string[] {
  const problems: string[] = [];
  const present = new Set(listFiles(root));
  for (const [relative, content] of files) {
    if (!present.has(relative)) problems.push(`missing: ${relative}`);
    else if (readFileSync(path.join(root, relative), 'utf8') !== content)
      problems.push(`changed: ${relative}`);
  }
  for (const relative of present)
    if (!files.has(relative)) problems.push(`not rendered by any chart: ${relative}`);
  return problems;
}
