import { Ajv } from 'ajv';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseDocument } from 'yaml';
import { IMAGE_ENTRIES } from '../local/stack/service-specs.js';
import { planDeploy, pinImages, quote } from './deploy.js';
import { REPO_ROOT, SKAFFOLD_FILE } from './paths.js';
import { expandManifestGlob, readSkaffold, skaffoldArtifacts } from './skaffold-config.js';

const skaffold = readSkaffold();

/** Every image referenced by the rendered files matching `pattern`. */
function imagesIn(pattern: string): string[] {
  const images = new Set<string>();
  for (const file of expandManifestGlob(pattern, REPO_ROOT)) {
    for (const match of readFileSync(path.join(REPO_ROOT, file), 'utf8').matchAll(
      /image: (\S+)/g,
    )) {
      images.add(match[1]!);
    }
  }
  return [...images].sort();
}

describe('skaffold.yaml', () => {
  it('conforms to the skaffold v4beta14 schema', () => {
    const schema = JSON.parse(
      readFileSync(path.resolve(REPO_ROOT, '../shared/schemas/skaffold-v4beta14.json'), 'utf8'),
    );
    const validate = new Ajv({ strict: false, allErrors: true }).compile(schema);
    const ok = validate(parse(readFileSync(SKAFFOLD_FILE, 'utf8')));
    expect(validate.errors ?? [], JSON.stringify(validate.errors, null, 2)).toEqual([]);
    expect(ok).toBe(true);
  });

  it('names only manifest globs that match rendered files', () => {
    const globs = [
      ...(skaffold.manifests?.rawYaml ?? []),
      ...(skaffold.profiles ?? []).flatMap((p) => p.manifests?.rawYaml ?? []),
    ];
    expect(globs.length).toBeGreaterThan(0);
    for (const pattern of globs) {
      expect(expandManifestGlob(pattern, REPO_ROOT).length, pattern).toBeGreaterThan(0);
    }
  });

  it('builds every image the local cluster and the dev Cloud Run specs use', () => {
    // The base build also makes the replayer image, run on demand rather than deployed.
    const local = skaffoldArtifacts(skaffold).map((a) => a.image);
    for (const image of imagesIn('clusters/local/k8s/*.yaml')) expect(local).toContain(image);
    const cloudRun = skaffoldArtifacts(skaffold, 'cloudrun').map((a) => a.image);
    for (const image of imagesIn('clusters/dev/cloud-run/*.yaml'))
      expect(cloudRun).toContain(image);
  });

  it('names only build paths that exist (contexts and Dockerfiles)', () => {
    const artifacts = [
      ...skaffoldArtifacts(skaffold),
      ...(skaffold.profiles ?? []).flatMap((p) => skaffoldArtifacts(skaffold, p.name)),
    ];
    const missing = [
      ...new Set(
        artifacts
          .flatMap((a) => [a.context, path.join(a.context, a.dockerfile)])
          .filter((p) => !existsSync(path.join(REPO_ROOT, p))),
      ),
    ].sort();
    expect(
      missing,
      `paths named in skaffold.yaml that do not exist: ${missing.join(', ')}`,
    ).toEqual([]);
  });

  it('builds each service image from services/Dockerfile with SERVICE naming its entry point', () => {
    const artifacts = [
      ...skaffoldArtifacts(skaffold),
      ...skaffoldArtifacts(skaffold, 'cloudrun'),
    ].filter((a) => a.dockerfile === 'services/Dockerfile');
    // Six images in the base build (which the local profile uses) and six in the cloudrun one.
    expect(artifacts).toHaveLength(12);
    for (const a of artifacts) {
      const service = a.buildArgs.SERVICE;
      expect(service, a.image).toMatch(/^[a-z0-9-]+$/);
      const entry = `services/${service}/main.ts`;
      expect(existsSync(path.join(REPO_ROOT, a.context, entry)), entry).toBe(true);
      // The local stack runs the same entry point as the image of the same name.
      expect(IMAGE_ENTRIES[path.posix.basename(a.image)], a.image).toBe(entry);
    }
    // One Dockerfile-specific ignore file keeps the tests out of every service's build context.
    const ignore = readFileSync(path.join(REPO_ROOT, 'services/Dockerfile.dockerignore'), 'utf8');
    expect(ignore.split('\n')).toEqual(expect.arrayContaining(['**', '**/*.test.ts']));
  });

  it('refuses a build arg the deploy could not pass to docker build as written', () => {
    const config = (value: unknown) =>
      ({
        build: {
          artifacts: [{ image: 'x', docker: { dockerfile: 'D', buildArgs: { SERVICE: value } } }],
        },
      }) as Parameters<typeof skaffoldArtifacts>[0];
    expect(skaffoldArtifacts(config('bq-writer'))[0]?.buildArgs).toEqual({ SERVICE: 'bq-writer' });
    expect(() => skaffoldArtifacts(config(null))).toThrow(/SERVICE must be a literal string/);
    expect(() => skaffoldArtifacts(config('{{.IMAGE_NAME}}'))).toThrow(/literal string/);
  });
});

describe('Cloud Run deploy (dry run)', () => {
  it('builds each image once, then replaces each reviewed spec pinned to the commit', () => {
    const out = '/tmp/out';
    const plan = planDeploy({ env: 'prod', tag: 'abc123', outDir: out });
    const registry = 'europe-west9-docker.pkg.dev/pmp-prod-paris/pmp';
    expect(plan.commands.map(quote)).toEqual([
      `docker build --tag ${registry}/pmp-velib-collector:abc123 --file services/Dockerfile --build-arg SERVICE=velib-collector .`,
      `docker push ${registry}/pmp-velib-collector:abc123`,
      `docker build --tag ${registry}/pmp-bq-writer:abc123 --file services/Dockerfile --build-arg SERVICE=bq-writer .`,
      `docker push ${registry}/pmp-bq-writer:abc123`,
      `docker build --tag ${registry}/pmp-velib-station-info-writer:abc123 --file services/Dockerfile --build-arg SERVICE=station-info-writer .`,
      `docker push ${registry}/pmp-velib-station-info-writer:abc123`,
      `docker build --tag ${registry}/pmp-station-info-dlq-replayer:abc123 --file services/Dockerfile --build-arg SERVICE=dlq-replayer .`,
      `docker push ${registry}/pmp-station-info-dlq-replayer:abc123`,
      `docker build --tag ${registry}/pmp-dashboard:abc123 --file services/Dockerfile --build-arg SERVICE=dashboard .`,
      `docker push ${registry}/pmp-dashboard:abc123`,
      `docker build --tag ${registry}/pmp-data-quality:abc123 --file services/Dockerfile --build-arg SERVICE=data-quality .`,
      `docker push ${registry}/pmp-data-quality:abc123`,
      ...[
        ['services', 'pmp-bq-writer'],
        ['services', 'pmp-dashboard'],
        ['services', 'pmp-data-quality'],
        ['jobs', 'pmp-station-info-dlq-replayer'],
        ['services', 'pmp-velib-collector'],
        ['services', 'pmp-velib-station-info-collector'],
        ['services', 'pmp-velib-station-info-writer'],
      ].map(
        ([verb, name]) =>
          `gcloud run ${verb} replace ${out}/${name}.yaml --project pmp-prod-paris --region europe-west9 --quiet`,
      ),
    ]);
  });

  it('pins every image and changes nothing else in the reviewed specs', () => {
    const plan = planDeploy({ env: 'dev', tag: 'f00d', outDir: '/tmp/out' });
    for (const [file, content] of plan.pinned) {
      const reviewed = readFileSync(
        path.join(REPO_ROOT, 'clusters/dev/cloud-run', path.basename(file)),
        'utf8',
      );
      expect(content.replaceAll(':f00d\n', '\n')).toBe(reviewed);
      const images = [...content.matchAll(/image: (\S+)/g)].map((m) => m[1]);
      expect(images.length).toBeGreaterThan(0);
      for (const image of images) expect(image).toMatch(/:f00d$/);
      expect(parseDocument(content).errors).toEqual([]);
    }
  });

  it('refuses a tag docker would not accept and an environment without a registry', () => {
    expect(() => planDeploy({ env: 'dev', tag: 'no spaces', outDir: '/tmp/x' })).toThrow(
      /invalid image tag/,
    );
    expect(() => planDeploy({ env: 'local', tag: 'a', outDir: '/tmp/x' })).toThrow(
      /no image registry/,
    );
    expect(pinImages('  image: r/x\n  image: other/y\n', 'r/', 't')).toBe(
      '  image: r/x:t\n  image: other/y\n',
    );
  });

  it('runs as the workflow runs it, in dry-run form', () => {
    const out = mkdtempSync(path.join(os.tmpdir(), 'pmp-deploy-'));
    try {
      const result = spawnSync(
        'npx',
        ['tsx', 'cdk8s/deploy.ts', '--env', 'dev', '--tag', 'abc123', '--out', out, '--dry-run'],
        { cwd: REPO_ROOT, encoding: 'utf8' },
      );
      expect(result.stderr).toBe('');
      expect(result.status).toBe(0);
      expect(result.stdout).toContain(
        `[dry-run] gcloud run jobs replace ${out}/pmp-station-info-dlq-replayer.yaml`,
      );
      expect(existsSync(path.join(out, 'pmp-bq-writer.yaml'))).toBe(true);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });
});

interface Workflow {
  name?: string;
  on?: Record<string, unknown>;
  permissions?: Record<string, string>;
  jobs?: Record<
    string,
    { 'runs-on'?: string; steps?: { uses?: string; run?: string; name?: string }[] }
  >;
}

const workflow = (name: string) =>
  parse(readFileSync(path.join(REPO_ROOT, '.github/workflows', name), 'utf8')) as Workflow;

describe('workflows (lint)', () => {
  for (const file of ['deploy.yml', 'manifest-diff.yml']) {
    it(`${file}: every job runs somewhere, every step uses an action or runs a command`, () => {
      const wf = workflow(file);
      expect(wf.name).toBeTruthy();
      expect(wf.on).toBeTruthy();
      expect(wf.permissions, 'explicit least permissions').toBeTruthy();
      for (const [id, job] of Object.entries(wf.jobs ?? {})) {
        expect(job['runs-on'], id).toBeTruthy();
        for (const step of job.steps ?? []) {
          expect(Boolean(step.uses) !== Boolean(step.run), JSON.stringify(step)).toBe(true);
          if (step.uses) expect(step.uses).toMatch(/^[\w.-]+\/[\w.-]+@v\d+$/);
        }
      }
    });
  }

  it('deploy.yml deploys only from main and runs the tested deploy command', () => {
    const wf = workflow('deploy.yml');
    expect(wf.on?.push).toMatchObject({ branches: ['main'] });
    expect(wf.permissions).toEqual({ contents: 'read', 'id-token': 'write' });
    const runs = (wf.jobs?.deploy?.steps ?? []).map((s) => s.run ?? '');
    expect(runs).toContain(
      'npx tsx cdk8s/deploy.ts --env "$PMP_ENV" --tag "$GITHUB_SHA" --out "$RUNNER_TEMP/cloud-run" --dry-run',
    );
    expect(runs).toContain(
      'npx tsx cdk8s/deploy.ts --env "$PMP_ENV" --tag "$GITHUB_SHA" --out "$RUNNER_TEMP/cloud-run"',
    );
  });

  it('manifest-diff.yml posts pmp diff as Markdown on pull requests', () => {
    const wf = workflow('manifest-diff.yml');
    expect(wf.on?.pull_request).toBeTruthy();
    expect(wf.permissions?.['pull-requests']).toBe('write');
    const runs = (wf.jobs?.diff?.steps ?? []).map((s) => s.run ?? '').join('\n');
    expect(runs).toContain('npx pmp diff --base "origin/$GITHUB_BASE_REF" --format markdown');
    expect(runs).toContain('gh pr comment');
  });

  it('CODEOWNERS guards clusters/prod', () => {
    const owners = readFileSync(path.join(REPO_ROOT, '.github/CODEOWNERS'), 'utf8');
    expect(owners).toMatch(/^\/clusters\/prod\/ @\S+/m);
  });
});
