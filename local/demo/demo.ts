import { execFile } from 'node:child_process';
import path from 'node:path';
import { ofKind, readManifestDir } from '../../cdk8s/manifests/index.js';
import { projectOf } from '../reconcile/desired.js';
import { isCollectorJob, schedulerJobsOf, type SchedulerJob } from '../scheduler/jobs.js';
import { formatTable } from '../stack/format-table.js';

export type DemoVerb = 'up' | 'down' | 'status' | 'collect';

/** Runs a program and returns its stdout; rejects with its stderr. Replaceable in tests. */
export type Exec = (
  file: string,
  args: readonly string[],
) => Promise<{ stdout: string; stderr: string; code: number }>;

export const execProgram: Exec = (file, args) =>
  new Promise((resolve, reject) => {
    execFile(file, [...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error && (error as NodeJS.ErrnoException).code === 'ENOENT') {
        reject(Object.assign(new Error(`${file} not found on PATH`), { code: 'ENOENT' }));
        return;
      }
      resolve({
        stdout: String(stdout),
        stderr: String(stderr),
        code: error ? Number((error as { code?: number }).code ?? 1) : 0,
      });
    });
  });

export interface DemoOptions {
  readonly verb: DemoVerb;
  readonly env: string;
  /** @default the repository's clusters/ */
  readonly clustersDir: string;
  /** kubectl context; default: the current one. */
  readonly context?: string;
  readonly dryRun?: boolean;
  readonly exec?: Exec;
  /** Where lines for a person go. */
  readonly print: (line: string) => void;
  /** For collect: POSTs with a bearer token (default fetch). */
  readonly post?: (url: string, token: string) => Promise<{ status: number; body: string }>;
}

const CRDS = [
  'cloudschedulerjobs.cloudscheduler.cnrm.cloud.google.com',
  'dataflowflextemplatejobs.dataflow.cnrm.cloud.google.com',
];

const quote = (arg: string) =>
  /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
export const commandLine = (file: string, args: readonly string[]) =>
  [file, ...args].map(quote).join(' ');

interface KccObject {
  kind: string;
  metadata: { name: string };
  status?: {
    conditions?: { type: string; status: string; reason?: string; message?: string }[];
    state?: string;
    jobId?: string;
  };
}

/** Everything a verb needs: the environment's namespace and project, and how to run kubectl. */
interface DemoTarget {
  readonly options: DemoOptions;
  readonly exec: Exec;
  readonly demoDir: string;
  readonly namespace: string;
  readonly projectId: string;
  /** `--context <name>` when one was given. */
  readonly ctx: readonly string[];
  /** kubectl in that context; under dryRun a mutating call is printed instead of run. */
  kubectl(args: string[], mutating?: boolean): Promise<string>;
}

const KUBECTL_MISSING =
  'kubectl not found on PATH: install it (https://kubernetes.io/docs/tasks/tools/) and point it at the Config Connector cluster';
const GCLOUD_MISSING =
  'gcloud not found on PATH: install the Google Cloud CLI to mint identity tokens';

/** Runs a program; one missing from PATH is reported with `missing` (what to install). */
async function execOrExplain(
  exec: Exec,
  file: string,
  args: readonly string[],
  missing: string,
): ReturnType<Exec> {
  try {
    return await exec(file, args);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(missing);
    throw error;
  }
}

function demoTarget(options: DemoOptions): DemoTarget {
  const exec = options.exec ?? execProgram;
  const envDir = path.join(options.clustersDir, options.env);
  let manifests;
  try {
    manifests = readManifestDir(envDir);
  } catch {
    throw new Error(`no rendered environment ${options.env} at ${envDir} (known: dev, prod)`);
  }
  const ctx = options.context ? ['--context', options.context] : [];
  return {
    options,
    exec,
    demoDir: path.join(envDir, 'demo'),
    namespace: ofKind(manifests, 'Namespace')[0]?.object.metadata.name ?? `pmp-${options.env}`,
    projectId: projectOf(manifests) ?? options.env,
    ctx,
    kubectl: async (args, mutating = true) => {
      const full = [...ctx, ...args];
      if (options.dryRun && mutating) {
        options.print(commandLine('kubectl', full));
        return '';
      }
      const result = await execOrExplain(exec, 'kubectl', full, KUBECTL_MISSING);
      if (result.code !== 0) {
        throw new Error(
          `${commandLine('kubectl', full)} failed: ${result.stderr.trim() || result.stdout.trim()}`,
        );
      }
      return result.stdout;
    },
  };
}

/**
 * The original's `pmpctl`, kubectl-driven: `up` applies clusters/<env>/demo (scheduler jobs and the
 * Dataflow job), `down` deletes them (the job drains, per its on-delete annotation), `status` reads
 * the Config Connector objects' Ready conditions and the job state, `collect` calls both collectors
 * once with an identity token. `dryRun` prints every kubectl/gcloud command instead of running it.
 */
export async function runDemo(options: DemoOptions): Promise<number> {
  const target = demoTarget(options);
  await preflight(target);
  switch (options.verb) {
    case 'up':
      options.print((await target.kubectl(['apply', '-f', target.demoDir])).trim());
      return 0;
    case 'down':
      options.print(
        (
          await target.kubectl([
            'delete',
            '-f',
            target.demoDir,
            '--ignore-not-found',
            '--wait=false',
          ])
        ).trim(),
      );
      if (!options.dryRun)
        options.print('the Dataflow job drains before it stops (cnrm on-delete: drain)');
      return 0;
    case 'status':
      return demoStatus(target);
    case 'collect':
      return demoCollect(target);
  }
}

/**
 * Read-only, before any verb: the right cluster (it has the environment's namespace) with Config
 * Connector. Under dryRun, the commands it would run are printed instead.
 */
async function preflight(target: DemoTarget): Promise<void> {
  const { options, exec, ctx, namespace } = target;
  const crdsArgs = [...ctx, 'get', 'crd', ...CRDS, '-o', 'name'];
  const namespaceArgs = [...ctx, 'get', 'namespace', namespace, '-o', 'name'];
  if (options.dryRun) {
    options.print(`# preflight (read-only) for ${options.env}:`);
    options.print(commandLine('kubectl', [...ctx, 'config', 'current-context']));
    options.print(commandLine('kubectl', crdsArgs));
    options.print(commandLine('kubectl', namespaceArgs));
    options.print(`# ${options.verb}:`);
    return;
  }
  const context = (await target.kubectl(['config', 'current-context'], false)).trim();
  const crds = await exec('kubectl', crdsArgs).catch((e: Error) => ({
    code: 1,
    stdout: '',
    stderr: e.message,
  }));
  if (crds.code !== 0) {
    throw new Error(
      `context ${context}: Config Connector CRDs are missing (${CRDS.join(', ')}): install Config Connector on this cluster, or pick the right one with --context`,
    );
  }
  const ns = await exec('kubectl', namespaceArgs);
  if (ns.code !== 0) {
    throw new Error(
      `context ${context} has no namespace ${namespace}: wrong cluster for --env ${options.env}? Pick it with --context`,
    );
  }
  options.print(`context ${context}, namespace ${namespace}, project ${target.projectId}`);
}

/** The demo objects' Ready conditions and the job state, as a table; 3 when any is not Ready. */
async function demoStatus(target: DemoTarget): Promise<number> {
  const { options, namespace } = target;
  const args = [
    'get',
    'cloudschedulerjobs,dataflowflextemplatejobs',
    '-n',
    namespace,
    '-o',
    'json',
  ];
  if (options.dryRun) {
    options.print(commandLine('kubectl', [...target.ctx, ...args]));
    return 0;
  }
  const list = JSON.parse(await target.kubectl(args, false)) as { items: KccObject[] };
  if (list.items.length === 0) {
    options.print(
      `nothing of the demo is applied in ${namespace} (pmp demo up --env ${options.env})`,
    );
    return 0;
  }
  options.print(
    formatTable(['kind', 'name', 'ready', 'job state', 'message'], list.items.map(statusRow)),
  );
  return list.items.every((i) =>
    i.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'),
  )
    ? 0
    : 3;
}

function statusRow(item: KccObject): string[] {
  const ready = item.status?.conditions?.find((c) => c.type === 'Ready');
  return [
    item.kind,
    item.metadata.name,
    ready
      ? `${ready.status === 'True' ? 'Ready' : 'NotReady'}${ready.reason ? ` (${ready.reason})` : ''}`
      : 'Unknown',
    item.kind === 'DataflowFlexTemplateJob' ? (item.status?.state ?? '—') : '—',
    ready?.status === 'True' ? '' : (ready?.message ?? ''),
  ];
}

/** Calls each collector job's target once with an identity token from gcloud; 1 when any failed. */
async function demoCollect(target: DemoTarget): Promise<number> {
  const jobs = schedulerJobsOf(readManifestDir(target.demoDir), target.projectId).filter(
    isCollectorJob,
  );
  let failed = 0;
  for (const job of jobs) {
    if (!(await collectOnce(target, job))) failed += 1;
  }
  return failed === 0 ? 0 : 1;
}

/** One collector call, as Cloud Scheduler makes it; false when it answered with no 2xx. */
async function collectOnce(target: DemoTarget, job: SchedulerJob): Promise<boolean> {
  const { options } = target;
  const gcloudArgs = [
    'auth',
    'print-identity-token',
    ...(job.oidcEmail ? [`--impersonate-service-account=${job.oidcEmail}`] : []),
    `--audiences=${job.oidcAudience ?? job.uri}`,
  ];
  if (options.dryRun) {
    options.print(
      `curl -fsS -X ${job.method} -H "Authorization: Bearer $(${commandLine('gcloud', gcloudArgs)})" ${quote(job.uri)}`,
    );
    return true;
  }
  const token = await execOrExplain(target.exec, 'gcloud', gcloudArgs, GCLOUD_MISSING);
  if (token.code !== 0)
    throw new Error(`gcloud could not mint an identity token: ${token.stderr.trim()}`);
  const post =
    options.post ??
    (async (url: string, bearer: string) => {
      const response = await fetch(url, {
        method: job.method,
        headers: { authorization: `Bearer ${bearer}` },
        signal: AbortSignal.timeout(job.attemptDeadlineSeconds * 1000),
      });
      return { status: response.status, body: await response.text() };
    });
  const response = await post(job.uri, token.stdout.trim());
  options.print(
    `${job.name}: ${job.method} ${job.uri} → ${response.status} ${response.body.slice(0, 200)}`,
  );
  return response.status < 300;
}

/**
 * `--local`: the same verbs against the running local stack's control endpoint. `schedulerOnly`
 * makes up/down resume/pause the scheduler alone, leaving the curated runner as it is (a backfill
 * keeps curating while nothing new is collected).
 */
export async function runLocalDemo(options: {
  verb: DemoVerb;
  controlUrl: string;
  schedulerOnly?: boolean;
  dryRun?: boolean;
  print: (line: string) => void;
}): Promise<number> {
  if (options.schedulerOnly && (options.verb === 'status' || options.verb === 'collect')) {
    throw new Error(`--scheduler-only applies to up and down, not ${options.verb}`);
  }
  const routes: Record<DemoVerb, [string, string]> = options.schedulerOnly
    ? {
        up: ['POST', '/scheduler/resume'],
        down: ['POST', '/scheduler/pause'],
        status: ['GET', '/status'],
        collect: ['POST', '/collect'],
      }
    : {
        up: ['POST', '/resume'],
        down: ['POST', '/pause'],
        status: ['GET', '/status'],
        collect: ['POST', '/collect'],
      };
  const [method, route] = routes[options.verb];
  const url = `${options.controlUrl}${route}`;
  if (options.dryRun) {
    options.print(`curl -fsS -X ${method} ${url}`);
    return 0;
  }
  const response = await fetch(url, { method, signal: AbortSignal.timeout(120_000) });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok)
    throw new Error(`${method} ${url} → ${response.status}: ${JSON.stringify(body)}`);
  if (options.verb === 'status') {
    const components = body.components as { name: string; status: string; detail?: string }[];
    options.print(
      formatTable(
        ['component', 'status', 'detail'],
        components.map((c) => [c.name, c.status, c.detail ?? '']),
      ),
    );
  } else if (options.verb === 'collect') {
    for (const [job, result] of Object.entries(body)) options.print(`${job}: ${String(result)}`);
  } else {
    options.print(pauseMessage(options.verb, options.schedulerOnly ?? false));
  }
  return 0;
}

function pauseMessage(verb: 'up' | 'down', schedulerOnly: boolean): string {
  if (schedulerOnly) {
    return verb === 'up'
      ? 'resumed: the scheduler collects again (the curated runner was left as it was)'
      : 'paused: the scheduler collects nothing until pmp demo up --local; the curated runner keeps running';
  }
  return verb === 'up'
    ? 'resumed: the scheduler and the curated runner are running'
    : 'paused: the scheduler and the curated runner are stopped (pmp demo up --local resumes)';
}
