import { spawnSync } from 'node:child_process';
import { isDeepStrictEqual } from 'node:util';
import {
  describeObject,
  objectKey,
  parseManifests,
  readManifestDir,
  type LoadedManifest,
  type RenderedObject,
} from '../manifests/index.js';

/** An object as found on one side: its environment-qualified key, file and content. */
interface Located {
  readonly key: string;
  readonly file: string;
  readonly object: RenderedObject;
}

export interface FieldChange {
  /** Dotted path; list items with a `name` are addressed by it (`env[PUSH_AUDIENCE].value`). */
  readonly path: string;
  readonly before: unknown;
  readonly after: unknown;
}

export interface ObjectChange {
  /** `Kind namespace/name`. */
  readonly object: string;
  /** File (relative to clusters/) on the side that has it (the new side when both do). */
  readonly file: string;
  readonly fields: FieldChange[];
}

export interface ManifestDiff {
  readonly base: string;
  readonly added: ObjectChange[];
  readonly removed: ObjectChange[];
  readonly changed: ObjectChange[];
}

/** Environment-qualified key: the same object in dev and prod are two objects. */
function locate(manifests: readonly LoadedManifest[]): Map<string, Located> {
  const out = new Map<string, Located>();
  for (const m of manifests) {
    const env = m.file.split('/')[0];
    const key = `${env}:${objectKey(m.object)}`;
    // The namespace is rendered in two packages of an environment; the first one is enough.
    if (!out.has(key)) out.set(key, { key, file: m.file, object: m.object });
  }
  return out;
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function namedItems(list: readonly unknown[]): Map<string, unknown> | undefined {
  if (!list.every((item) => isObject(item) && typeof item.name === 'string')) return undefined;
  const byName = new Map(list.map((item) => [(item as { name: string }).name, item]));
  return byName.size === list.length ? byName : undefined;
}

/** Field-level differences between two JSON values, as leaf paths. */
export function diffFields(before: unknown, after: unknown, path = ''): FieldChange[] {
  if (isDeepStrictEqual(before, after)) return [];
  const join = (key: string) => (path ? `${path}.${key}` : key);
  if (isObject(before) && isObject(after)) {
    const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
    return keys.flatMap((k) => diffFields(before[k], after[k], join(k)));
  }
  if (Array.isArray(before) && Array.isArray(after)) {
    const [a, b] = [namedItems(before), namedItems(after)];
    if (a && b) {
      const names = [...new Set([...a.keys(), ...b.keys()])];
      return names.flatMap((n) => diffFields(a.get(n), b.get(n), `${path}[${n}]`));
    }
    if (before.length === after.length) {
      return before.flatMap((item, i) => diffFields(item, after[i], `${path}[${i}]`));
    }
  }
  return [{ path: path || '(object)', before, after }];
}

/** Compares two sets of rendered manifests (files relative to clusters/, `<env>/<package>/…`). */
export function diffManifests(
  base: readonly LoadedManifest[],
  head: readonly LoadedManifest[],
  baseName: string,
): ManifestDiff {
  const [before, after] = [locate(base), locate(head)];
  const change = (l: Located, fields: FieldChange[] = []): ObjectChange => ({
    object: `${l.file.split('/')[0]} ${describeObject(l.object)}`,
    file: l.file,
    fields,
  });
  const added = [...after.values()].filter((l) => !before.has(l.key)).map((l) => change(l));
  const removed = [...before.values()].filter((l) => !after.has(l.key)).map((l) => change(l));
  const changed: ObjectChange[] = [];
  for (const l of after.values()) {
    const old = before.get(l.key);
    if (!old) continue;
    const fields = diffFields(old.object, l.object);
    if (fields.length > 0) changed.push(change(l, fields));
  }
  const byFile = (a: ObjectChange, b: ObjectChange) =>
    a.file === b.file ? (a.object < b.object ? -1 : 1) : a.file < b.file ? -1 : 1;
  return {
    base: baseName,
    added: added.sort(byFile),
    removed: removed.sort(byFile),
    changed: changed.sort(byFile),
  };
}

function git(args: readonly string[], cwd: string, input?: string): Buffer {
  const result = spawnSync('git', args, { cwd, input, maxBuffer: 256 * 1024 * 1024 });
  if (result.status !== 0) {
    throw new Error(`git ${args.join(' ')} failed: ${result.stderr.toString().trim()}`);
  }
  return result.stdout;
}

/** The manifests of `dir` (a folder of the repository, e.g. `clusters`) as committed at `ref`. */
export function readManifestsAtRef(repo: string, ref: string, dir: string): LoadedManifest[] {
  const listing = git(['ls-tree', '-r', '-z', ref, '--', `${dir}/`], repo).toString('utf8');
  const blobs = listing
    .split('\0')
    .filter(Boolean)
    .map((line) => {
      const [meta, file] = line.split('\t') as [string, string];
      return { id: meta.split(' ')[2]!, file };
    })
    .filter((b) => /\.ya?ml$/.test(b.file));
  if (blobs.length === 0) return [];
  // One `git cat-file --batch` for every file, rather than one process per file.
  const out = git(['cat-file', '--batch'], repo, blobs.map((b) => b.id).join('\n') + '\n');
  const manifests: LoadedManifest[] = [];
  let offset = 0;
  for (const blob of blobs) {
    const headerEnd = out.indexOf(0x0a, offset);
    const size = Number(out.subarray(offset, headerEnd).toString().split(' ')[2]);
    const text = out.subarray(headerEnd + 1, headerEnd + 1 + size).toString('utf8');
    offset = headerEnd + 1 + size + 1;
    manifests.push(...parseManifests(text, blob.file.slice(dir.length + 1)));
  }
  return manifests;
}

/** `pmp diff --base REF`: clusters/ at REF against clusters/ in the working tree. */
export function diffAgainstRef(repo: string, ref: string, dir = 'clusters'): ManifestDiff {
  return diffManifests(readManifestsAtRef(repo, ref, dir), readManifestDir(`${repo}/${dir}`), ref);
}

const show = (v: unknown) => (v === undefined ? '(unset)' : JSON.stringify(v));
const MAX_VALUE = 120;
const clip = (s: string) => (s.length > MAX_VALUE ? `${s.slice(0, MAX_VALUE - 1)}…` : s);

function summary(diff: ManifestDiff): string {
  const { added, removed, changed } = diff;
  return `${added.length} added, ${removed.length} removed, ${changed.length} changed`;
}

/** For terminals. */
export function formatText(diff: ManifestDiff): string {
  const lines = [`clusters/ against ${diff.base}: ${summary(diff)}`];
  for (const a of diff.added) lines.push(`+ ${a.object}  (${a.file})`);
  for (const r of diff.removed) lines.push(`- ${r.object}  (${r.file})`);
  for (const c of diff.changed) {
    lines.push(`~ ${c.object}  (${c.file})`);
    for (const f of c.fields)
      lines.push(`    ${f.path}: ${clip(show(f.before))} → ${clip(show(f.after))}`);
  }
  return lines.join('\n') + '\n';
}

const cell = (s: string) => s.replaceAll('|', '\\|').replaceAll('\n', ' ');

/** For a pull-request comment. */
export function formatMarkdown(diff: ManifestDiff): string {
  const lines = [`### Rendered manifests against \`${diff.base}\``, '', `**${summary(diff)}**`];
  if (diff.added.length + diff.removed.length + diff.changed.length === 0) {
    lines.push('', 'No object under `clusters/` changes.');
    return lines.join('\n') + '\n';
  }
  const objects = [
    ...diff.added.map((a) => ({ ...a, mark: 'added' })),
    ...diff.removed.map((r) => ({ ...r, mark: 'removed' })),
    ...diff.changed.map((c) => ({ ...c, mark: 'changed' })),
  ];
  lines.push('', '| change | object | file |', '| --- | --- | --- |');
  for (const o of objects) lines.push(`| ${o.mark} | \`${cell(o.object)}\` | \`${o.file}\` |`);
  for (const c of diff.changed) {
    lines.push(
      '',
      `<details><summary><code>${c.object}</code>: ${c.fields.length} field(s)</summary>`,
      '',
    );
    lines.push('| field | before | after |', '| --- | --- | --- |');
    for (const f of c.fields) {
      lines.push(
        `| \`${cell(f.path)}\` | \`${cell(clip(show(f.before)))}\` | \`${cell(clip(show(f.after)))}\` |`,
      );
    }
    lines.push('', '</details>');
  }
  if (
    diff.changed.some((c) => c.file.startsWith('prod/')) ||
    diff.added.concat(diff.removed).some((c) => c.file.startsWith('prod/'))
  ) {
    lines.push('', '> Touches `clusters/prod/`: needs a review from the prod code owners.');
  }
  return lines.join('\n') + '\n';
}
