/** Tunables of one feed fetch; the defaults suit the Vélib open-data endpoints. */
export interface FetchFeedOptions {
  /** Per-attempt timeout, headers and body included. @default 10_000 */
  readonly timeoutMs?: number;
  /** Attempts after the first, for network errors, timeouts, 408, 429 and 5xx. @default 2 */
  readonly retries?: number;
  /** First backoff; doubles each retry, with up to 50% jitter. @default 500 */
  readonly backoffMs?: number;
  /** Stop reading past this many bytes: the feed could not be published anyway. */
  readonly maxBytes: number;
  /** Injected for tests of the waiting itself; real timers otherwise. */
  readonly sleep?: (ms: number) => Promise<void>;
}

export interface FetchedFeed {
  readonly text: string;
  readonly bytes: number;
  readonly attempts: number;
}

/** Why a fetch gave up; `kind` says whether the feed was unreachable, refused or too big. */
export class FeedFetchError extends Error {
  constructor(
    readonly kind: 'unreachable' | 'http_status' | 'too_large' | 'not_utf8',
    message: string,
    readonly attempts: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'FeedFetchError';
  }
}

const RETRYABLE_STATUS = (status: number) => status === 408 || status === 429 || status >= 500;

class RetryableError extends Error {}

/**
 * GETs the feed with a timeout per attempt and bounded, backed-off retries. Only transient
 * failures are retried: a 404 or a feed over `maxBytes` will not get better in a second.
 */
export async function fetchFeed(url: string, options: FetchFeedOptions): Promise<FetchedFeed> {
  const retries = options.retries ?? 2;
  const backoffMs = options.backoffMs ?? 500;
  const sleep = options.sleep ?? ((ms) => new Promise<void>((r) => setTimeout(r, ms)));
  let lastError: unknown;
  for (let attempt = 1; attempt <= retries + 1; attempt++) {
    try {
      const { text, bytes } = await fetchOnce(url, options, attempt);
      return { text, bytes, attempts: attempt };
    } catch (error) {
      if (!(error instanceof RetryableError)) throw error;
      lastError = error;
      if (attempt <= retries) {
        const delay = backoffMs * 2 ** (attempt - 1);
        await sleep(delay + Math.random() * delay * 0.5);
      }
    }
  }
  const reason = lastError instanceof Error ? lastError.message : String(lastError);
  throw new FeedFetchError(
    'unreachable',
    `feed unreachable after ${retries + 1} attempt(s): ${reason}`,
    retries + 1,
    { cause: lastError },
  );
}

async function fetchOnce(
  url: string,
  options: FetchFeedOptions,
  attempt: number,
): Promise<{ text: string; bytes: number }> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const signal = AbortSignal.timeout(timeoutMs);
  let response: Response;
  try {
    response = await fetch(url, {
      signal,
      headers: { accept: 'application/json' },
      redirect: 'follow',
    });
  } catch (error) {
    throw new RetryableError(describeNetworkError(error, timeoutMs), { cause: error });
  }
  if (!response.ok) {
    await response.body?.cancel().catch(() => undefined);
    const message = `feed answered HTTP ${response.status} ${response.statusText}`.trim();
    if (RETRYABLE_STATUS(response.status)) throw new RetryableError(message);
    throw new FeedFetchError('http_status', message, attempt);
  }
  const declared = Number(response.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > options.maxBytes) {
    await response.body?.cancel().catch(() => undefined);
    throw new FeedFetchError('too_large', tooLarge(declared, options.maxBytes), attempt);
  }
  const chunks: Uint8Array[] = [];
  let bytes = 0;
  const reader = response.body?.getReader();
  try {
    for (;;) {
      const next = reader ? await reader.read() : { done: true as const, value: undefined };
      if (next.done) break;
      bytes += next.value.byteLength;
      if (bytes > options.maxBytes) {
        await reader?.cancel().catch(() => undefined);
        throw new FeedFetchError('too_large', tooLarge(bytes, options.maxBytes, true), attempt);
      }
      chunks.push(next.value);
    }
  } catch (error) {
    if (error instanceof FeedFetchError) throw error;
    throw new RetryableError(describeNetworkError(error, timeoutMs), { cause: error });
  }
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
    return { text, bytes };
  } catch (error) {
    throw new FeedFetchError('not_utf8', 'feed body is not UTF-8 text', attempt, {
      cause: error,
    });
  }
}

function tooLarge(bytes: number, max: number, partial = false): string {
  const size = `${(bytes / 1e6).toFixed(1)} MB${partial ? ' and counting' : ''}`;
  return `feed is ${size}, over the ${(max / 1e6).toFixed(1)} MB a Pub/Sub message can carry`;
}

function describeNetworkError(error: unknown, timeoutMs: number): string {
  const name = (error as { name?: string }).name;
  if (name === 'TimeoutError' || name === 'AbortError') return `no answer within ${timeoutMs} ms`;
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return error instanceof Error ? error.message : String(error);
}
