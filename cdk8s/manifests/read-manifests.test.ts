import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CLUSTERS_DIR } from '../paths.js';
import {
  describeObject,
  objectKey,
  ofKind,
  packageOf,
  parseManifests,
  readManifestDir,
} from './read-manifests.js';

describe('reading rendered manifests', () => {
  it('reads an environment with files, positions and packages, skipping Kptfiles', () => {
    const manifests = readManifestDir(path.join(CLUSTERS_DIR, 'local'));
    expect(manifests.some((m) => m.object.kind === 'Kptfile')).toBe(false);
    const topics = ofKind(manifests, 'PubSubTopic');
    expect(topics.map((t) => t.object.metadata.name)).toContain('pmp-events');
    expect(topics.every((t) => t.file === 'config-sync/messaging.yaml')).toBe(true);
    expect(new Set(manifests.map(packageOf))).toEqual(
      new Set(['config-sync', 'demo', 'cloud-run', 'k8s']),
    );
    const keys = manifests.map((m) => objectKey(m.object));
    // The namespace is rendered twice (config-sync and k8s); everything else once.
    expect(new Set(keys).size).toBe(keys.length - 1);
  });

  it('names objects for messages', () => {
    const [m] = parseManifests('apiVersion: v1\nkind: Namespace\nmetadata:\n  name: a\n', 'f.yaml');
    expect(describeObject(m!.object)).toBe('Namespace a');
    expect(objectKey(m!.object)).toBe('Namespace.core//a');
  });

  it('fails on malformed documents, naming the file', () => {
    expect(() => parseManifests('a: [', 'bad.yaml')).toThrow(/bad\.yaml: document 1/);
    expect(() => parseManifests('- 1\n', 'list.yaml')).toThrow(
      /list\.yaml: document 1 is not an object/,
    );
    expect(() => parseManifests('metadata: {}\n', 'x.yaml')).toThrow(/no apiVersion\/kind/);
  });
});
