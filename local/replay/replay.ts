import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type { PubSub } from '@google-cloud/pubsub';
import { buildEnvelope, feedTimestamp, type Envelope, type EventType } from '../../core/index.js';
import type { EmulatorStatus } from '../pubsub-emulator/index.js';

/** One recorded feed document to publish. */
export interface RecordedSnapshot {
  readonly label: string;
  readonly eventType: EventType;
  /** The feed document (parsed JSON). */
  readonly document: unknown;
  /**
   * The document's recorded JSON text, when there is one: published verbatim as the envelope's
   * payload (no second serialization of a 500 KB document).
   */
  readonly text?: string;
  /** When it was collected, if known (from the file name of a simulator export). */
  readonly collectedAt?: Date;
}

const TOPICS: Record<EventType, string> = {
  station_status_snapshot: 'pmp-events',
  station_information_snapshot: 'pmp-velib-station-info',
};

/**
 * `station_status_2025-10-18T09-10-00Z.json` (a `pmp simulate` export) or `…T09:10:00Z…` → that
 * instant; UTC only, so a name never needs a time zone to be read.
 */
export function timeFromFileName(name: string): Date | undefined {
  const match = /(\d{4}-\d{2}-\d{2})T(\d{2})[-:](\d{2})[-:](\d{2})(?:\.\d+)?Z/.exec(name);
  if (!match) return undefined;
  const date = new Date(`${match[1]}T${match[2]}:${match[3]}:${match[4]}Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/** Whether a recording given on the command line is one file (else a folder); absent: an error. */
export function isSingleFile(input: string): boolean {
  try {
    return statSync(input).isFile();
  } catch {
    throw new Error(`${input}: no such file or directory`);
  }
}

/**
 * The snapshot files of a recording (a simulator export or saved Vélib files), in name order:
 * station information first, then the status snapshots. A file path gives that one file.
 */
export function listRecording(input: string): string[] {
  if (isSingleFile(input)) return [input];
  const names = readdirSync(input)
    .filter((n) => n.endsWith('.json') && /station_(status|information)/.test(n))
    .sort(
      (a, b) =>
        Number(b.includes('information')) - Number(a.includes('information')) || a.localeCompare(b),
    );
  if (names.length === 0) {
    throw new Error(`${input}: no station_status*.json or station_information*.json files`);
  }
  return names.map((n) => path.join(input, n));
}

/** Reads one recorded file; the event type comes from its name (default: status). */
export function readRecordedFile(file: string): RecordedSnapshot {
  const name = path.basename(file);
  const text = readFileSync(file, 'utf8');
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file}: not JSON: ${(error as Error).message}`);
  }
  return {
    label: name,
    eventType: name.includes('station_information')
      ? 'station_information_snapshot'
      : 'station_status_snapshot',
    document,
    text,
    collectedAt: timeFromFileName(name),
  };
}

export interface ReplayProgress {
  readonly published: number;
  readonly total: number;
}

export interface ReplayOptions {
  readonly pubsub: PubSub;
  readonly snapshots: Iterable<RecordedSnapshot> | AsyncIterable<RecordedSnapshot>;
  readonly total: number;
  /** Snapshots per second; unset = as fast as the pipeline takes them. */
  readonly rate?: number;
  /**
   * Backlog of the curated subscription, for back-pressure (unset: no back-pressure beyond the
   * publish window).
   */
  readonly backlog?: () => Promise<number>;
  /**
   * Pause publishing while the backlog is above this; keep it above what the curated runner leases
   * (two batches) so it never waits for the publisher. @default 50
   */
  readonly maxBacklog?: number;
  /** Publishes in flight at once. @default 8 */
  readonly window?: number;
  readonly onProgress?: (progress: ReplayProgress) => void;
}

export interface ReplayResult {
  readonly published: number;
  readonly byTopic: Record<string, number>;
  readonly messageIds: string[];
  /** Publish time (epoch ms) per message id, for freshness measurements. */
  readonly publishedAt: Map<string, number>;
}

/** The envelope as JSON, with the recorded text as its payload when there is one. */
function envelopeBytes(envelope: Envelope, text: string | undefined): Buffer {
  if (text === undefined) return Buffer.from(JSON.stringify(envelope));
  const { payload: _payload, ...head } = envelope;
  return Buffer.from(`${JSON.stringify(head).slice(0, -1)},"payload":${text.trim()}}`);
}

/**
 * The envelope a collector would have built for this recorded snapshot: `ingest_ts` = when it was
 * recorded (the file name's time), else the feed's own `lastUpdatedOther` / `last_updated`;
 * `event_ts` = the feed's own time, else `ingest_ts`. A snapshot with neither is refused: stamping
 * it "now" would put history among today's data.
 */
export function replayEnvelope(snapshot: RecordedSnapshot): Envelope {
  const recordedAt = snapshot.collectedAt ?? feedTimestamp(snapshot.document);
  if (recordedAt === null) {
    throw new Error(
      `${snapshot.label}: no time in the file name (…2025-10-18T09-10-00Z…) nor in the document (lastUpdatedOther / last_updated)`,
    );
  }
  return buildEnvelope({
    document: snapshot.document,
    source: 'velib',
    eventType: snapshot.eventType,
    ingestTs: typeof recordedAt === 'string' ? new Date(recordedAt) : recordedAt,
  });
}

/** The Pub/Sub message a collector would have published for this recorded snapshot. */
function publishedMessage(snapshot: RecordedSnapshot): {
  data: Buffer;
  attributes: Record<string, string>;
} {
  const envelope = replayEnvelope(snapshot);
  return {
    data: envelopeBytes(envelope, snapshot.text),
    attributes: {
      source: envelope.source,
      event_type: envelope.event_type,
      event_ts: envelope.event_ts,
      replay: 'true',
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Publishes recorded snapshots as the collectors would have: one envelope per snapshot, with its
 * own timestamps (ingest_ts = when it was recorded: the file name's time, else the feed's own
 * timestamp), the collector's attributes, to the collector's topic.
 */
export async function replaySnapshots(options: ReplayOptions): Promise<ReplayResult> {
  const window = options.window ?? 8;
  const maxBacklog = options.maxBacklog ?? 50;
  const topics = new Map<string, ReturnType<PubSub['topic']>>();
  const topicFor = (eventType: EventType) => {
    const name = TOPICS[eventType];
    let topic = topics.get(name);
    if (!topic) {
      topic = options.pubsub.topic(name, { batching: { maxMessages: 1, maxMilliseconds: 0 } });
      topics.set(name, topic);
    }
    return topic;
  };
  const inFlight = new Set<Promise<void>>();
  const result: ReplayResult = {
    published: 0,
    byTopic: {},
    messageIds: [],
    publishedAt: new Map(),
  };
  const started = Date.now();
  let sent = 0;
  for await (const snapshot of options.snapshots) {
    if (options.rate) {
      const due = started + (sent / options.rate) * 1000;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    while (inFlight.size >= window) await Promise.race(inFlight);
    if (options.backlog && sent % window === 0) {
      while ((await options.backlog()) > maxBacklog) await sleep(50);
    }
    const message = publishedMessage(snapshot);
    const topic = topicFor(snapshot.eventType);
    const topicName = TOPICS[snapshot.eventType];
    // Only the message crosses the await: a ~2 MB parsed document kept alive by this closure for a
    // publish round trip outlived every young-generation collection, which then copied it
    // (docs/PERFORMANCE.md, #8).
    const publish = topic.publishMessage(message).then((id) => {
      result.messageIds.push(id);
      result.publishedAt.set(id, Date.now());
      result.byTopic[topicName] = (result.byTopic[topicName] ?? 0) + 1;
      (result as { published: number }).published += 1;
      options.onProgress?.({ published: result.published, total: options.total });
    });
    sent += 1;
    inFlight.add(publish);
    void publish.catch(() => undefined).finally(() => inFlight.delete(publish));
  }
  await Promise.all(inFlight);
  return result;
}

/** Backlog (unacked, including leased) of one subscription, from the emulator's status page. */
export function emulatorBacklog(adminUrl: string, subscription: string): () => Promise<number> {
  return async () => {
    const response = await fetch(`${adminUrl}/status.json`);
    const status = (await response.json()) as EmulatorStatus;
    const sub = status.subscriptions.find(
      (s) => s.name.endsWith(`/${subscription}`) || s.name === subscription,
    );
    return sub ? sub.backlog + sub.outstanding : 0;
  };
}

/** Waits until every named subscription has nothing unacked (the pipeline caught up). */
export async function waitForDrain(
  adminUrl: string,
  subscriptions: readonly string[],
  timeoutMs = 600_000,
): Promise<void> {
  const started = Date.now();
  const checks = subscriptions.map((s) => emulatorBacklog(adminUrl, s));
  for (;;) {
    const backlogs = await Promise.all(checks.map((c) => c()));
    if (backlogs.every((n) => n === 0)) return;
    if (Date.now() - started > timeoutMs) {
      throw new Error(
        `the pipeline did not catch up within ${timeoutMs / 1000} s (backlog ${subscriptions
          .map((s, i) => `${s}=${backlogs[i]}`)
          .join(', ')})`,
      );
    }
    await sleep(200);
  }
}
