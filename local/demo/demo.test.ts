import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runDemo } from './demo.js';

const root = path.resolve(import.meta.dirname, '../..');
const clustersDir = path.join(root, 'clusters');
let bin: string;
let logFile: string;
const savedPath = process.env.PATH;

/** A stand-in kubectl: records every call, answers from canned output, fails where told to. */
const KUBECTL = `#!/bin/sh
echo "kubectl $*" >> "$PMP_TEST_LOG"
case "$*" in
  *"config current-context"*) echo "gke_pmp-dev-paris_europe-west9_pmp" ;;
  *"get crd"*) [ -n "$PMP_TEST_NO_CRDS" ] && { echo 'Error from server (NotFound): customresourcedefinitions "cloudschedulerjobs.cloudscheduler.cnrm.cloud.google.com" not found' >&2; exit 1; }; echo ok ;;
  *"get namespace"*) [ -n "$PMP_TEST_NO_NS" ] && { echo 'Error from server (NotFound): namespaces "pmp-dev" not found' >&2; exit 1; }; echo namespace/pmp-dev ;;
  *"apply -f"*) echo "cloudschedulerjob.cloudscheduler.cnrm.cloud.google.com/pmp-velib-poll-every-minute created" ;;
  *"delete -f"*) echo "dataflowflextemplatejob.dataflow.cnrm.cloud.google.com/pmp-velib-curated deleted" ;;
  *"get cloudschedulerjobs,dataflowflextemplatejobs"*) cat "$PMP_TEST_STATUS" ;;
  *) echo "unexpected: $*" >&2; exit 2 ;;
esac
`;
const GCLOUD = `#!/bin/sh
echo "gcloud $*" >> "$PMP_TEST_LOG"
echo "token-for-$(echo "$*" | sed 's/.*--audiences=//')"
`;

beforeAll(() => {
  bin = mkdtempSync(path.join(tmpdir(), 'pmp-demo-bin-'));
  writeFileSync(path.join(bin, 'kubectl'), KUBECTL);
  writeFileSync(path.join(bin, 'gcloud'), GCLOUD);
  chmodSync(path.join(bin, 'kubectl'), 0o755);
  chmodSync(path.join(bin, 'gcloud'), 0o755);
  logFile = path.join(bin, 'calls.log');
  const status = path.join(bin, 'status.json');
  writeFileSync(
    status,
    JSON.stringify({
      items: [
        {
          kind: 'CloudSchedulerJob',
          metadata: { name: 'pmp-velib-poll-every-minute' },
          status: { conditions: [{ type: 'Ready', status: 'True', reason: 'UpToDate' }] },
        },
        {
          kind: 'DataflowFlexTemplateJob',
          metadata: { name: 'pmp-velib-curated' },
          status: {
            state: 'JOB_STATE_PENDING',
            conditions: [
              { type: 'Ready', status: 'False', reason: 'Updating', message: 'job is starting' },
            ],
          },
        },
      ],
    }),
  );
  process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
  process.env.PMP_TEST_LOG = logFile;
  process.env.PMP_TEST_STATUS = status;
});

beforeEach(() => {
  writeFileSync(logFile, '');
  delete process.env.PMP_TEST_NO_CRDS;
  delete process.env.PMP_TEST_NO_NS;
});

afterAll(() => {
  process.env.PATH = savedPath;
  rmSync(bin, { recursive: true, force: true });
});

const calls = () => readFileSync(logFile, 'utf8').trim().split('\n').filter(Boolean);

async function demo(verb: 'up' | 'down' | 'status' | 'collect', extra = {}) {
  const lines: string[] = [];
  const code = await runDemo({
    verb,
    env: 'dev',
    clustersDir,
    print: (l) => lines.push(l),
    ...extra,
  });
  return { code, lines };
}

describe('pmp demo with kubectl', () => {
  it('up applies clusters/dev/demo after checking the cluster', async () => {
    const { code } = await demo('up');
    expect(code).toBe(0);
    expect(calls()).toEqual([
      'kubectl config current-context',
      'kubectl get crd cloudschedulerjobs.cloudscheduler.cnrm.cloud.google.com dataflowflextemplatejobs.dataflow.cnrm.cloud.google.com -o name',
      'kubectl get namespace pmp-dev -o name',
      `kubectl apply -f ${path.join(clustersDir, 'dev/demo')}`,
    ]);
  });

  it('down deletes without waiting (the job drains); --context is passed to every call', async () => {
    await demo('down', { context: 'gke_x' });
    expect(calls().at(-1)).toBe(
      `kubectl --context gke_x delete -f ${path.join(clustersDir, 'dev/demo')} --ignore-not-found --wait=false`,
    );
    expect(calls().every((c) => c.startsWith('kubectl --context gke_x '))).toBe(true);
  });

  it('status prints Ready conditions and the Dataflow job state; not all Ready → exit 3', async () => {
    const { code, lines } = await demo('status');
    expect(code).toBe(3);
    const table = lines.at(-1)!;
    expect(table).toMatch(/CloudSchedulerJob\s+pmp-velib-poll-every-minute\s+Ready \(UpToDate\)/);
    expect(table).toMatch(
      /DataflowFlexTemplateJob\s+pmp-velib-curated\s+NotReady \(Updating\)\s+JOB_STATE_PENDING\s+job is starting/,
    );
  });

  it('collect calls both collectors with identity tokens for their audiences', async () => {
    const posts: { url: string; token: string }[] = [];
    const { code, lines } = await demo('collect', {
      post: async (url: string, token: string) => {
        posts.push({ url, token });
        return { status: 200, body: '{"messageId":"1"}' };
      },
    });
    expect(code).toBe(0);
    expect(posts).toEqual([
      {
        url: 'https://pmp-velib-collector-418230917562.europe-west9.run.app/collect',
        token: 'token-for-https://pmp-velib-collector-418230917562.europe-west9.run.app',
      },
      {
        url: 'https://pmp-velib-station-info-collector-418230917562.europe-west9.run.app/collect',
        token:
          'token-for-https://pmp-velib-station-info-collector-418230917562.europe-west9.run.app',
      },
    ]);
    expect(calls().filter((c) => c.startsWith('gcloud'))[0]).toBe(
      'gcloud auth print-identity-token --impersonate-service-account=pmp-scheduler-invoker@pmp-dev-paris.iam.gserviceaccount.com --audiences=https://pmp-velib-collector-418230917562.europe-west9.run.app',
    );
    expect(lines.at(-1)).toMatch(/pmp-velib-station-info-daily: POST .* → 200/);
  });

  it('--dry-run prints every command and runs none', async () => {
    const up = await demo('up', { dryRun: true });
    expect(calls()).toEqual([]);
    expect(up.lines).toContain(`kubectl apply -f ${path.join(clustersDir, 'dev/demo')}`);
    const collect = await demo('collect', { dryRun: true });
    expect(calls()).toEqual([]);
    expect(collect.lines.at(-1)).toMatch(
      /^curl -fsS -X POST -H "Authorization: Bearer \$\(gcloud auth print-identity-token .*--audiences=https:\/\/pmp-velib-station-info-collector.*\)" https:\/\/pmp-velib-station-info-collector-.*\/collect$/,
    );
  });

  it('absent CRDs, a wrong context and a missing kubectl give clear messages', async () => {
    process.env.PMP_TEST_NO_CRDS = '1';
    await expect(demo('up')).rejects.toThrow(
      /context gke_pmp-dev-paris_europe-west9_pmp: Config Connector CRDs are missing/,
    );
    delete process.env.PMP_TEST_NO_CRDS;
    process.env.PMP_TEST_NO_NS = '1';
    await expect(demo('up')).rejects.toThrow(
      /has no namespace pmp-dev: wrong cluster for --env dev/,
    );
    expect(calls().some((c) => c.includes('apply'))).toBe(false);
    process.env.PATH = '/nonexistent';
    try {
      await expect(demo('status')).rejects.toThrow(/kubectl not found on PATH/);
    } finally {
      process.env.PATH = `${bin}${path.delimiter}${savedPath}`;
    }
  });

  it('an unknown environment is named', async () => {
    await expect(
      runDemo({ verb: 'up', env: 'staging', clustersDir, print: () => {} }),
    ).rejects.toThrow(/no rendered environment staging/);
  });
});
