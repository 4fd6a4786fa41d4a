import { defaulted, enums, object, optional, type Infer } from 'superstruct';
import { EVENT_TYPES } from '../../core/index.js';
import { loadConfig } from '../../runtime/config.js';
import { Count, HttpUrl, ListenHost, Name, OptionalText, Port, StackPid } from '../shared/env.js';
import { GOOGLE_JWKS_URL } from '../shared/push-auth.js';
import type { CollectSettings } from './collect.js';

/**
 * The collector's environment: the contract's variables (docs/contracts.md) plus optional tuning
 * knobs with defaults, so the rendered Knative specs need not set them.
 */
export const CollectorSettings = object({
  PROJECT_ID: optional(Name),
  TOPIC_ID: Name,
  FEED_URL: HttpUrl,
  SOURCE: defaulted(Name, 'velib'),
  EVENT_TYPE: defaulted(enums([...EVENT_TYPES]), 'station_status_snapshot'),
  PORT: defaulted(Port, 8080),
  HOST: ListenHost,
  /**
   * When set, `/collect` requires an OIDC token for this audience (what Cloud Scheduler sends).
   * Unset on Cloud Run, where the platform's invoker check does it; the local stack sets it.
   */
  INVOKER_AUDIENCE: OptionalText,
  INVOKER_JWKS_URL: defaulted(HttpUrl, GOOGLE_JWKS_URL),
  FEED_TIMEOUT_MS: defaulted(Count(1), 10_000),
  FEED_RETRIES: defaulted(Count(0), 2),
  FEED_BACKOFF_MS: defaulted(Count(0), 500),
  STALE_AFTER_SECONDS: optional(Count(0)),
  FEED_WARN_BYTES: defaulted(Count(1), 5_000_000),
  PMP_STACK_PID: optional(StackPid),
});

export type CollectorSettings = Infer<typeof CollectorSettings>;

const NAMES = Object.keys(CollectorSettings.schema);

export function loadCollectorSettings(env: Record<string, string | undefined>): CollectorSettings {
  return loadConfig(CollectorSettings, Object.fromEntries(NAMES.map((n) => [n, env[n]])));
}

/**
 * Station status is refreshed every minute, station information about daily: what counts as stale
 * differs, so the default follows the event type.
 */
export function collectSettings(settings: CollectorSettings): CollectSettings {
  return {
    feedUrl: settings.FEED_URL,
    source: settings.SOURCE,
    eventType: settings.EVENT_TYPE,
    staleAfterSeconds:
      settings.STALE_AFTER_SECONDS ??
      (settings.EVENT_TYPE === 'station_status_snapshot' ? 600 : 3 * 24 * 3600),
    warnBytes: settings.FEED_WARN_BYTES,
    fetch: {
      timeoutMs: settings.FEED_TIMEOUT_MS,
      retries: settings.FEED_RETRIES,
      backoffMs: settings.FEED_BACKOFF_MS,
    },
  };
}
