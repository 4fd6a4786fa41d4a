import { ApiObject, App, Chart } from 'cdk8s';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IamPolicyMember } from '../imports/iam.cnrm.cloud.google.com.js';
import { PubSubSubscription } from '../imports/pubsub.cnrm.cloud.google.com.js';
import { readManifestDir, type LoadedManifest, type RenderedObject } from '../manifests/index.js';
import { CLUSTERS_DIR } from '../paths.js';
import { renderClusters, toYaml, writeClusters } from '../synth.js';
import { formatProblem, type Problem } from './problem.js';
import { validateEnvironment, validateTree } from './validate.js';

/** Tests edit rendered objects freely to break them. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Loose = any;

const dev = readManifestDir(path.join(CLUSTERS_DIR, 'dev'));
const original = (kind: string, name: string): Loose => {
  const found = dev.find((m) => m.object.kind === kind && m.object.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in clusters/dev`);
  return structuredClone(found.object);
};

/** Validates clusters/dev with `object` added (or replacing the object of the same kind and name). */
function problemsWith(object: RenderedObject, file = 'config-sync/extra.yaml'): Problem[] {
  const same = (m: LoadedManifest) =>
    m.object.kind === object.kind && m.object.metadata.name === object.metadata.name;
  const manifests = [...dev.filter((m) => !same(m)), { object, file, index: 0 }];
  return validateEnvironment(manifests).filter(
    (p) =>
      p.object.endsWith(`/${object.metadata.name}`) ||
      p.object.endsWith(` ${object.metadata.name}`),
  );
}

const messages = (problems: Problem[]) => problems.map(formatProblem);

describe('pmp validate on the rendered clusters/', () => {
  it('finds nothing wrong in any environment', () => {
    const reports = validateTree(CLUSTERS_DIR);
    expect(reports.map((r) => r.environment)).toEqual(['dev', 'local', 'prod']);
    for (const report of reports) {
      expect(messages(report.problems), report.environment).toEqual([]);
      expect(report.objects).toBeGreaterThan(50);
    }
  });
});

describe('schema (structural, from the CRDs)', () => {
  it('rejects an unknown field, naming the object and the field', () => {
    const sub = original('PubSubSubscription', 'pmp-events-to-bq-sub');
    (
      sub.spec as { pushConfig: { oidcToken: Record<string, string> } }
    ).pushConfig.oidcToken.audeince = 'x';
    expect(messages(problemsWith(sub))).toEqual([
      'config-sync/extra.yaml: PubSubSubscription pmp-dev/pmp-events-to-bq-sub: spec.pushConfig.oidcToken.audeince: unknown field (not in the CRD schema) [schema]',
    ]);
  });

  it('rejects a wrong type and a missing required field', () => {
    const table = original('BigQueryTable', 'velib-station-status');
    const spec = table.spec as Record<string, unknown>;
    spec.clustering = 'station_id';
    delete spec.datasetRef;
    const found = messages(problemsWith(table));
    expect(found).toContain(
      'config-sync/extra.yaml: BigQueryTable pmp-dev/velib-station-status: spec.clustering: must be array [schema]',
    );
    expect(found).toContain(
      'config-sync/extra.yaml: BigQueryTable pmp-dev/velib-station-status: spec.datasetRef: required field is missing [schema]',
    );
  });

  it('checks Knative Services against the Knative CRD, int-or-string ports included', () => {
    const service = original('Service', 'pmp-bq-writer');
    const container = (service.spec as Loose).template.spec.containers[0];
    container.startupProbe.httpGet.port = 'http1'; // int-or-string: a named port is fine
    expect(problemsWith(service, 'cloud-run/pmp-bq-writer.yaml')).toEqual([]);
    container.cpuLimit = '1';
    expect(messages(problemsWith(service, 'cloud-run/pmp-bq-writer.yaml'))).toEqual([
      'cloud-run/pmp-bq-writer.yaml: Service pmp-dev-paris/pmp-bq-writer: spec.template.spec.containers[0].cpuLimit: unknown field (not in the CRD schema) [schema]',
    ]);
  });

  it('lets free-form fields through (x-kubernetes-preserve-unknown-fields)', () => {
    const job = original('DataflowFlexTemplateJob', 'pmp-velib-curated');
    (job.spec as { parameters: Record<string, string> }).parameters.anything_else = 'yes';
    expect(problemsWith(job, 'demo/streaming-job.yaml')).toEqual([]);
  });

  it('rejects an enum value the CRD does not allow', () => {
    const ccc = structuredClone(
      readManifestDir(path.join(CLUSTERS_DIR, 'dev')).find(
        (m) => m.object.kind === 'ConfigConnectorContext',
      )!.object,
    );
    (ccc.spec as Record<string, string>).stateIntoSpec = 'Sometimes';
    expect(messages(problemsWith(ccc, 'bootstrap/bootstrap.yaml'))[0]).toMatch(
      /spec\.stateIntoSpec: must be one of "Absent", "Merge" \[schema\]/,
    );
  });
});

describe('references resolve inside the environment', () => {
  it('catches a dangling topicRef and deadLetterTopicRef', () => {
    const sub = original('PubSubSubscription', 'pmp-velib-station-info-to-bq-sub');
    const spec = sub.spec as Loose;
    spec.topicRef.name = 'pmp-nowhere';
    spec.deadLetterPolicy.deadLetterTopicRef.name = 'pmp-nowhere-dlq';
    expect(messages(problemsWith(sub))).toEqual([
      'config-sync/extra.yaml: PubSubSubscription pmp-dev/pmp-velib-station-info-to-bq-sub: spec.deadLetterPolicy.deadLetterTopicRef: PubSubTopic pmp-nowhere-dlq does not exist in this environment [reference]',
      'config-sync/extra.yaml: PubSubSubscription pmp-dev/pmp-velib-station-info-to-bq-sub: spec.topicRef: PubSubTopic pmp-nowhere does not exist in this environment [reference]',
    ]);
  });

  it('catches datasetRef, tableRef and serviceAccountRef that name nothing', () => {
    const table = original('BigQueryTable', 'velib-station-status');
    (table.spec as Loose).datasetRef.name = 'pmp-gone';
    expect(messages(problemsWith(table))).toEqual([
      'config-sync/extra.yaml: BigQueryTable pmp-dev/velib-station-status: spec.datasetRef: BigQueryDataset pmp-gone does not exist in this environment [reference]',
    ]);
    const toBq = original('PubSubSubscription', 'pmp-velib-station-info-push-dlq-to-bq-sub');
    (toBq.spec as Loose).bigqueryConfig.tableRef.name = 'no-table';
    expect(messages(problemsWith(toBq))[0]).toMatch(
      /spec\.bigqueryConfig\.tableRef: BigQueryTable no-table does not exist/,
    );
    const job = original('CloudSchedulerJob', 'pmp-velib-poll-every-minute');
    (job.spec as Loose).httpTarget.oidcToken.serviceAccountRef.name = 'pmp-ghost';
    expect(messages(problemsWith(job, 'demo/scheduling.yaml'))[0]).toMatch(
      /spec\.httpTarget\.oidcToken\.serviceAccountRef: IAMServiceAccount pmp-ghost does not exist/,
    );
  });

  it('catches IAM resourceRef and memberFrom that name nothing, and externals of other services', () => {
    const grant = original('IAMPolicyMember', 'pmp-velib-collector--pubsub-publisher--pmp-events');
    (grant.spec as Loose).resourceRef.name = 'pmp-old-topic';
    (grant.spec as Loose).memberFrom.serviceAccountRef.name = 'pmp-old-account';
    expect(messages(problemsWith(grant))).toEqual([
      'config-sync/extra.yaml: IAMPolicyMember pmp-dev/pmp-velib-collector--pubsub-publisher--pmp-events: spec.memberFrom.serviceAccountRef: IAMServiceAccount pmp-old-account does not exist in this environment [reference]',
      'config-sync/extra.yaml: IAMPolicyMember pmp-dev/pmp-velib-collector--pubsub-publisher--pmp-events: spec.resourceRef: PubSubTopic pmp-old-topic does not exist in this environment [reference]',
    ]);
    const invoker = original('IAMPolicyMember', 'pmp-push-bq-writer--run-invoker--pmp-bq-writer');
    (invoker.spec as Loose).resourceRef.external =
      'projects/pmp-dev-paris/locations/europe-west9/services/pmp-renamed';
    expect(messages(problemsWith(invoker))[0]).toMatch(
      /spec\.resourceRef\.external: projects\/.*\/services\/pmp-renamed Cloud Run service pmp-renamed is not rendered/,
    );
  });

  it('catches a push OIDC email and a Cloud Run identity that are not service accounts here', () => {
    const sub = original('PubSubSubscription', 'pmp-events-to-bq-sub');
    (sub.spec as Loose).pushConfig.oidcToken.serviceAccountEmail =
      'pmp-typo@pmp-dev-paris.iam.gserviceaccount.com';
    expect(messages(problemsWith(sub))).toEqual([
      'config-sync/extra.yaml: PubSubSubscription pmp-dev/pmp-events-to-bq-sub: spec.pushConfig.oidcToken.serviceAccountEmail: service account pmp-typo is not an IAMServiceAccount of this environment [reference]',
    ]);
    const job = original('DataflowFlexTemplateJob', 'pmp-velib-curated');
    (job.spec as Loose).parameters.input_subscription = 'projects/pmp-prod-paris/subscriptions/x';
    expect(messages(problemsWith(job, 'demo/streaming-job.yaml'))[0]).toMatch(
      /spec\.parameters\.input_subscription: .* points at project pmp-prod-paris, not this environment's pmp-dev-paris/,
    );
  });
});

describe('policies', () => {
  it('no-primitive-roles: IAM and dataset access', () => {
    const grant = original('IAMPolicyMember', 'pmp-dashboard--bigquery-jobuser--pmp-dev-paris');
    (grant.spec as Loose).role = 'roles/editor';
    expect(messages(problemsWith(grant))).toEqual([
      'config-sync/extra.yaml: IAMPolicyMember pmp-dev/pmp-dashboard--bigquery-jobuser--pmp-dev-paris: spec.role: basic role roles/editor; grant a predefined role on the resource instead [no-primitive-roles]',
    ]);
    const dataset = original('BigQueryDataset', 'pmp-raw');
    (dataset.spec as Loose).access.push({ role: 'WRITER', userByEmail: 'someone@example.com' });
    expect(messages(problemsWith(dataset))).toEqual([
      'config-sync/extra.yaml: BigQueryDataset pmp-dev/pmp-raw: spec.access[1].role: basic role WRITER; grant a predefined role on the resource instead [no-primitive-roles]',
    ]);
  });

  it('no-public-members: allUsers and allAuthenticatedUsers anywhere', () => {
    const grant = original('IAMPolicyMember', 'pmp-push-bq-writer--run-invoker--pmp-bq-writer');
    delete (grant.spec as Loose).memberFrom;
    (grant.spec as Loose).member = 'allUsers';
    expect(messages(problemsWith(grant))).toEqual([
      'config-sync/extra.yaml: IAMPolicyMember pmp-dev/pmp-push-bq-writer--run-invoker--pmp-bq-writer: spec.member: allUsers makes the resource public [no-public-members]',
    ]);
    const dataset = original('BigQueryDataset', 'pmp-marts');
    (dataset.spec as Loose).access.push({
      role: 'roles/bigquery.dataViewer',
      specialGroup: 'allAuthenticatedUsers',
    });
    expect(messages(problemsWith(dataset))[0]).toMatch(
      /spec\.access\[3\]\.specialGroup: allAuthenticatedUsers makes the resource public/,
    );
  });

  it('oidc-on-push: a push subscription without a token', () => {
    const sub = original('PubSubSubscription', 'pmp-events-to-bq-sub');
    delete (sub.spec as Loose).pushConfig.oidcToken;
    expect(messages(problemsWith(sub))).toEqual([
      'config-sync/extra.yaml: PubSubSubscription pmp-dev/pmp-events-to-bq-sub: spec.pushConfig.oidcToken: push subscription without an OIDC token; the endpoint could not authenticate Pub/Sub [oidc-on-push]',
    ]);
  });

  it('oidc-on-scheduler: a scheduler target without a token', () => {
    const job = original('CloudSchedulerJob', 'pmp-velib-station-info-daily');
    delete (job.spec as Loose).httpTarget.oidcToken;
    expect(messages(problemsWith(job, 'demo/scheduling.yaml'))).toEqual([
      'demo/scheduling.yaml: CloudSchedulerJob pmp-dev/pmp-velib-station-info-daily: spec.httpTarget.oidcToken: scheduler HTTP target without an OIDC token [oidc-on-scheduler]',
    ]);
  });

  it('writers-internal: a push target with public ingress', () => {
    const writer = original('Service', 'pmp-velib-station-info-writer');
    writer.metadata.annotations!['run.googleapis.com/ingress'] = 'all';
    expect(messages(problemsWith(writer, 'cloud-run/w.yaml'))).toEqual([
      'cloud-run/w.yaml: Service pmp-dev-paris/pmp-velib-station-info-writer: metadata.annotations.run.googleapis.com/ingress: a push-receiving writer must have ingress "internal", found "all" [writers-internal]',
    ]);
  });

  it('no-secrets: secret-named env vars and credential-looking values', () => {
    const service = original('Service', 'pmp-dashboard');
    const env = (service.spec as Loose).template.spec.containers[0].env;
    env.push({ name: 'DB_PASSWORD', value: 'hunter2' });
    env.push({ name: 'MAPS', value: `AIza${'x'.repeat(35)}` });
    expect(messages(problemsWith(service, 'cloud-run/d.yaml'))).toEqual([
      'cloud-run/d.yaml: Service pmp-dev-paris/pmp-dashboard: spec.template.spec.containers[0].env[3].value: DB_PASSWORD holds a literal value; use Secret Manager [no-secrets]',
      'cloud-run/d.yaml: Service pmp-dev-paris/pmp-dashboard: spec.template.spec.containers[0].env[4].value: looks like a Google API key; use Secret Manager [no-secrets]',
    ]);
  });

  it('namespace-has-project: a namespace without its project, and objects outside it', () => {
    const namespace = original('Namespace', 'pmp-dev');
    delete namespace.metadata.annotations;
    expect(messages(problemsWith(namespace))).toEqual([
      'config-sync/extra.yaml: Namespace pmp-dev: metadata.annotations.cnrm.cloud.google.com/project-id: namespace without its Google Cloud project [namespace-has-project]',
    ]);
    const topic = original('PubSubTopic', 'pmp-events');
    (topic.metadata as { namespace: string }).namespace = 'somewhere-else';
    expect(messages(problemsWith(topic))).toContain(
      'config-sync/extra.yaml: PubSubTopic somewhere-else/pmp-events: metadata.namespace: namespace somewhere-else is not declared (with its project) in this environment [namespace-has-project]',
    );
  });
});

/** A chart someone got wrong three ways at once. */
class BrokenChart extends Chart {
  constructor(app: App) {
    super(app, 'broken', { namespace: 'pmp-dev' });
    // Generated classes drop fields their props do not know, so the misspelt field comes the way
    // it would in real life: a raw ApiObject that bypasses the typed props.
    new ApiObject(this, 'sub', {
      ...PubSubSubscription.GVK,
      metadata: { name: 'pmp-broken-sub' },
      spec: { topicRef: { name: 'pmp-evnets' }, ackDeadline: 30 },
    });
    new IamPolicyMember(this, 'public', {
      metadata: { name: 'pmp-dashboard-public' },
      spec: {
        member: 'allUsers',
        role: 'roles/run.invoker',
        resourceRef: {
          kind: 'RunService',
          external: 'projects/pmp-dev-paris/locations/europe-west9/services/pmp-dashboard',
        },
      },
    });
  }
}

describe('a deliberately broken chart', () => {
  it('fails pmp validate with a clear message for each mistake', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'pmp-broken-'));
    try {
      writeClusters(dir, renderClusters(['dev']));
      const objects = new BrokenChart(new App()).toJson();
      writeFileSync(path.join(dir, 'dev/config-sync/broken.yaml'), toYaml(objects));
      const [report] = validateTree(dir);
      expect(messages(report!.problems)).toEqual([
        'dev/config-sync/broken.yaml: PubSubSubscription pmp-dev/pmp-broken-sub: spec.ackDeadline: unknown field (not in the CRD schema) [schema]',
        'dev/config-sync/broken.yaml: PubSubSubscription pmp-dev/pmp-broken-sub: spec.topicRef: PubSubTopic pmp-evnets does not exist in this environment [reference]',
        'dev/config-sync/broken.yaml: IAMPolicyMember pmp-dev/pmp-dashboard-public: spec.member: allUsers makes the resource public [no-public-members]',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
