import {
  closeSync,
  existsSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  writeSync,
} from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { parseFilter } from '../filter/parse-filter.js';
import type { StoredMessage, SubscriptionConfig, TopicConfig } from './types.js';

/**
 * Durable state for `--data-dir`: an append-only journal of JSON lines, fsync'd in groups (every
 * mutation waiting on one `flush` shares one fdatasync), replayed and compacted at start-up. A torn
 * last line — the process was killed mid-write — is ignored, so `kill -9` loses nothing that was
 * acknowledged to a publisher. Delivery-attempt counts and retained acked messages are not kept.
 */
export type JournalRecord =
  | { t: 'topic'; topic: TopicConfig }
  | { t: 'deltopic'; name: string }
  | { t: 'sub'; sub: SubscriptionConfig }
  | { t: 'delsub'; name: string }
  | { t: 'pub'; messages: StoredMessage[]; subs: string[] }
  | { t: 'ack'; sub: string; seqs: number[] }
  | { t: 'unacked'; sub: string; seqs: number[] };

export interface JournalState {
  lastSeq: number;
  topics: Map<string, TopicConfig>;
  subscriptions: Map<string, { config: SubscriptionConfig; unacked: Set<number> }>;
  messages: Map<number, StoredMessage>;
}

interface EncodedMessage {
  seq: number;
  data: string;
  attributes: Record<string, string>;
  orderingKey: string;
  publishMs: number;
  size: number;
}

function encode(record: JournalRecord): string {
  if (record.t !== 'pub') return JSON.stringify(record) + '\n';
  const messages: EncodedMessage[] = record.messages.map((m) => ({
    seq: m.seq,
    data: m.data.toString('base64'),
    attributes: m.attributes as Record<string, string>,
    orderingKey: m.orderingKey,
    publishMs: m.publishMs,
    size: m.size,
  }));
  return JSON.stringify({ t: 'pub', messages, subs: record.subs }) + '\n';
}

function decodeMessage(m: EncodedMessage): StoredMessage {
  return { ...m, id: String(m.seq), data: Buffer.from(m.data, 'base64') };
}

/** Rebuilds state from journal lines. */
export function replay(text: string): JournalState {
  const state: JournalState = {
    lastSeq: 0,
    topics: new Map(),
    subscriptions: new Map(),
    messages: new Map(),
  };
  const lines = text.split('\n');
  for (const line of lines) {
    if (line.trim() === '') continue;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(line) as Record<string, unknown>;
    } catch {
      continue; // the torn tail of a write interrupted by a crash
    }
    apply(
      state,
      record as unknown as JournalRecord | { t: 'pub'; messages: EncodedMessage[]; subs: string[] },
    );
  }
  return state;
}

function apply(
  state: JournalState,
  record: JournalRecord | { t: 'pub'; messages: EncodedMessage[]; subs: string[] },
): void {
  switch (record.t) {
    case 'topic':
      state.topics.set(record.topic.name, record.topic);
      break;
    case 'deltopic':
      state.topics.delete(record.name);
      break;
    case 'sub': {
      const existing = state.subscriptions.get(record.sub.name);
      if (existing) existing.config = record.sub;
      else state.subscriptions.set(record.sub.name, { config: record.sub, unacked: new Set() });
      break;
    }
    case 'delsub':
      state.subscriptions.delete(record.name);
      break;
    case 'pub': {
      const messages = (record.messages as unknown as EncodedMessage[]).map(decodeMessage);
      for (const m of messages) {
        state.messages.set(m.seq, m);
        state.lastSeq = Math.max(state.lastSeq, m.seq);
      }
      for (const subName of record.subs) {
        const sub = state.subscriptions.get(subName);
        if (!sub) continue;
        const filter = parseFilter(sub.config.filter ?? '');
        for (const m of messages) if (filter(m.attributes)) sub.unacked.add(m.seq);
      }
      break;
    }
    case 'ack': {
      const sub = state.subscriptions.get(record.sub);
      if (sub) for (const seq of record.seqs) sub.unacked.delete(seq);
      break;
    }
    case 'unacked': {
      const sub = state.subscriptions.get(record.sub);
      if (sub) sub.unacked = new Set(record.seqs);
      break;
    }
  }
}

/** Writes the whole state as a fresh journal: topics, subscriptions, then the messages still unacked. */
function serialize(state: JournalState): string {
  const out: string[] = [];
  for (const topic of state.topics.values()) out.push(encode({ t: 'topic', topic }));
  for (const { config } of state.subscriptions.values())
    out.push(encode({ t: 'sub', sub: config }));
  const needed = new Map<number, string[]>();
  for (const [name, { unacked }] of state.subscriptions) {
    for (const seq of unacked) {
      const list = needed.get(seq) ?? [];
      list.push(name);
      needed.set(seq, list);
    }
  }
  for (const seq of [...needed.keys()].sort((a, b) => a - b)) {
    const message = state.messages.get(seq);
    if (message) out.push(encode({ t: 'pub', messages: [message], subs: needed.get(seq)! }));
  }
  // Keep the sequence moving forward even if every message was acked.
  out.push(JSON.stringify({ t: 'seq', lastSeq: state.lastSeq }) + '\n');
  return out.join('');
}

/** Rewrite the journal once this many bytes were appended (or twice the last rewrite, if larger). */
const COMPACT_AFTER_BYTES = 64 * 1024 * 1024;

/** Writes `state` as the whole journal atomically (temp file, fsync, rename, fsync dir); returns its size. */
function rewrite(dir: string, path: string, state: JournalState): number {
  const text = serialize(state);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  writeSync(fd, text);
  fsyncSync(fd);
  closeSync(fd);
  renameSync(tmp, path);
  const dirFd = openSync(dir, 'r');
  fsyncSync(dirFd);
  closeSync(dirFd);
  return Buffer.byteLength(text);
}

export class Journal {
  private pending: string[] = [];
  private appendedBytes = 0;
  private lastCompactedBytes = 0;
  private compactAfterBytes = COMPACT_AFTER_BYTES;
  private snapshotSource: (() => JournalState) | undefined;
  private waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;
  private writing = false;
  private handle: FileHandle | undefined;
  private beforeWrite: (() => Promise<void>) | undefined;

  private constructor(
    private readonly path: string,
    private readonly dir: string,
  ) {}

  /** Where the current state comes from when the journal rewrites itself while running. */
  setSnapshotSource(source: () => JournalState): void {
    this.snapshotSource = source;
  }

  /** Opens (creating) `dir/pubsub.journal`, replays it and compacts it. */
  static async open(
    dir: string,
    options: {
      compactAfterBytes?: number;
      /** Test hook: awaited before each group of records is written, to hold the disk back. */
      beforeWrite?: () => Promise<void>;
    } = {},
  ): Promise<{ journal: Journal; state: JournalState }> {
    mkdirSync(dir, { recursive: true });
    const path = join(dir, 'pubsub.journal');
    const text = existsSync(path) ? readFileSync(path, 'utf8') : '';
    const state = replay(text);
    for (const line of text.split('\n')) {
      if (line.startsWith('{"t":"seq"')) {
        try {
          state.lastSeq = Math.max(
            state.lastSeq,
            (JSON.parse(line) as { lastSeq: number }).lastSeq,
          );
        } catch {
          /* torn line */
        }
      }
    }
    const written = rewrite(dir, path, state);
    const journal = new Journal(path, dir);
    journal.lastCompactedBytes = written;
    journal.compactAfterBytes = options.compactAfterBytes ?? COMPACT_AFTER_BYTES;
    journal.beforeWrite = options.beforeWrite;
    journal.handle = await open(path, 'a');
    return { journal, state };
  }

  append(record: JournalRecord): void {
    this.pending.push(encode(record));
    this.schedule();
  }

  /** Resolves when everything appended so far is on disk. */
  flush(): Promise<void> {
    if (this.pending.length === 0 && !this.writing) return Promise.resolve();
    return new Promise((resolve, reject) => this.waiters.push({ resolve, reject }));
  }

  private schedule(): void {
    if (this.scheduled) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      void this.writeOut();
    });
  }

  private async writeOut(): Promise<void> {
    if (this.writing || !this.handle) return;
    if (this.pending.length === 0) {
      this.settle(this.waiters.splice(0), undefined);
      return;
    }
    this.writing = true;
    const chunk = this.pending.join('');
    this.pending = [];
    const waiters = this.waiters.splice(0);
    let failure: unknown;
    try {
      if (this.beforeWrite) await this.beforeWrite();
      this.appendedBytes += chunk.length;
      if (
        this.snapshotSource &&
        this.appendedBytes > Math.max(this.compactAfterBytes, 2 * this.lastCompactedBytes)
      ) {
        // Every pending record is already reflected in the live state: the snapshot replaces them.
        await this.handle.close();
        this.lastCompactedBytes = rewrite(this.dir, this.path, this.snapshotSource());
        this.appendedBytes = 0;
        this.handle = await open(this.path, 'a');
      } else {
        await this.handle.write(chunk);
        await this.handle.datasync();
      }
    } catch (error) {
      failure = error;
    }
    this.writing = false;
    this.settle(waiters, failure);
    if (this.pending.length > 0 || this.waiters.length > 0) this.schedule();
  }

  private settle(
    waiters: Array<{ resolve: () => void; reject: (e: unknown) => void }>,
    failure: unknown,
  ): void {
    for (const w of waiters) {
      if (failure === undefined) w.resolve();
      else w.reject(failure);
    }
  }

  async close(): Promise<void> {
    await this.flush();
    await this.handle?.close();
    this.handle = undefined;
  }
}
