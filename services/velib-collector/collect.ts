import type { Topic } from '@google-cloud/pubsub';
import {
  buildEnvelope,
  feedTimestamp,
  validateFeedDocument,
  type Envelope,
  type EventType,
  type FeedValidation,
} from '../../core/index.js';
import type { Logger } from '../../runtime/logger.js';
import {
  FeedFetchError,
  fetchFeed,
  type FetchedFeed,
  type FetchFeedOptions,
} from './fetch-feed.js';

/** Pub/Sub's limit on one message; an envelope beyond it cannot be published at all. */
export const PUBSUB_MAX_MESSAGE_BYTES = 10_000_000;

export interface CollectSettings {
  readonly feedUrl: string;
  readonly source: string;
  readonly eventType: EventType;
  /** A feed older than this is reported (and still published: old data beats no data). */
  readonly staleAfterSeconds: number;
  /** A feed larger than this is reported: it is getting close to the Pub/Sub limit. */
  readonly warnBytes: number;
  readonly fetch: Omit<FetchFeedOptions, 'maxBytes'>;
}

export interface CollectResult {
  readonly messageId: string;
  readonly stations: number;
  /** Seconds between the feed's own timestamp and now; null when the feed carries none. */
  readonly feedAgeSeconds: number | null;
  readonly warnings: string[];
  readonly eventType: EventType;
  readonly eventTs: string;
  readonly format: string;
  readonly bytes: number;
  readonly attempts: number;
}

/** The feed could not be collected: `status` is what the HTTP answer should be. */
export class CollectError extends Error {
  constructor(
    readonly status: 502 | 503,
    readonly reason: string,
    readonly warnings: string[] = [],
    options?: { cause?: unknown },
  ) {
    super(reason, options);
    this.name = 'CollectError';
  }
}

/**
 * One collection: fetch, parse, check the shape, wrap in the envelope, publish one message with
 * attributes `source`, `event_type` and `event_ts`. A broken feed (unreachable, not JSON, wrong
 * shape, too big) is a 502 and nothing is published; a publish failure is a 503 (ours, retry).
 */
export async function collectOnce(
  topic: Topic,
  settings: CollectSettings,
  now: () => Date,
  log: Logger,
): Promise<CollectResult> {
  const fetched = await fetchSnapshot(settings);
  const warnings = fetchWarnings(fetched, settings.warnBytes);
  const { document, shape } = parseFeed(fetched.text, settings.eventType, warnings);
  const ingestTs = now();
  const envelope = buildEnvelope({
    document,
    source: settings.source,
    eventType: settings.eventType,
    ingestTs,
  });
  const feedAgeSeconds = feedAge(document, ingestTs, settings.staleAfterSeconds, warnings);
  const messageId = await publishEnvelope(topic, envelope, warnings, log);
  return {
    messageId,
    stations: shape.stationCount,
    feedAgeSeconds,
    warnings,
    eventType: settings.eventType,
    eventTs: envelope.event_ts,
    format: shape.format,
    bytes: fetched.bytes,
    attempts: fetched.attempts,
  };
}

/** A feed document that passed the shape check, and what the check found. */
interface ParsedFeed {
  readonly document: unknown;
  readonly shape: Extract<FeedValidation, { ok: true }>;
}

/** The feed's text, small enough that its envelope still fits in one Pub/Sub message. */
async function fetchSnapshot(settings: CollectSettings): Promise<FetchedFeed> {
  try {
    return await fetchFeed(settings.feedUrl, {
      ...settings.fetch,
      maxBytes: PUBSUB_MAX_MESSAGE_BYTES - 64 * 1024,
    });
  } catch (error) {
    if (error instanceof FeedFetchError)
      throw new CollectError(502, error.message, [], { cause: error });
    throw error;
  }
}

function fetchWarnings(fetched: FetchedFeed, warnBytes: number): string[] {
  const warnings: string[] = [];
  if (fetched.attempts > 1) warnings.push(`feed answered after ${fetched.attempts} attempts`);
  if (fetched.bytes > warnBytes) {
    warnings.push(
      `feed is ${(fetched.bytes / 1e6).toFixed(1)} MB, over the ${(warnBytes / 1e6).toFixed(1)} MB warning threshold (Pub/Sub limit ${PUBSUB_MAX_MESSAGE_BYTES / 1e6} MB)`,
    );
  }
  return warnings;
}

/** The document and its shape; not JSON or the wrong shape for `eventType` is a 502. */
function parseFeed(text: string, eventType: EventType, warnings: string[]): ParsedFeed {
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    throw new CollectError(502, `feed is not JSON: ${detail}`, warnings, { cause: error });
  }
  const shape = validateFeedDocument(document, eventType);
  if (!shape.ok) {
    throw new CollectError(
      502,
      `feed has the wrong shape for ${eventType}: ${shape.reason}`,
      warnings,
    );
  }
  return { document, shape };
}

/** Seconds since the feed's own timestamp (null without one); warns when missing, stale or ahead. */
function feedAge(
  document: unknown,
  ingestTs: Date,
  staleAfterSeconds: number,
  warnings: string[],
): number | null {
  const feedTs = feedTimestamp(document);
  if (feedTs === null) {
    warnings.push(
      'feed carries no timestamp (lastUpdatedOther / last_updated); event_ts = ingest time',
    );
    return null;
  }
  const feedAgeSeconds = Math.round((ingestTs.getTime() - Date.parse(feedTs)) / 1000);
  if (feedAgeSeconds > staleAfterSeconds) {
    warnings.push(
      `feed is stale: last updated ${feedAgeSeconds} s ago (threshold ${staleAfterSeconds} s)`,
    );
  } else if (feedAgeSeconds < -60) {
    warnings.push(`feed timestamp is ${-feedAgeSeconds} s in the future: clock skew?`);
  }
  return feedAgeSeconds;
}

/** One message with attributes `source`, `event_type`, `event_ts`; a failed publish is a 503. */
async function publishEnvelope(
  topic: Topic,
  envelope: Envelope,
  warnings: string[],
  log: Logger,
): Promise<string> {
  const data = Buffer.from(JSON.stringify(envelope), 'utf8');
  if (data.byteLength > PUBSUB_MAX_MESSAGE_BYTES) {
    throw new CollectError(
      502,
      `envelope is ${data.byteLength} bytes, over the Pub/Sub limit`,
      warnings,
    );
  }
  try {
    return await topic.publishMessage({
      data,
      attributes: {
        source: envelope.source,
        event_type: envelope.event_type,
        event_ts: envelope.event_ts,
      },
    });
  } catch (error) {
    log.error({ err: error, topic: topic.name }, 'publish failed');
    const detail = error instanceof Error ? error.message : String(error);
    throw new CollectError(503, `publish to ${topic.name} failed: ${detail}`, warnings, {
      cause: error,
    });
  }
}
