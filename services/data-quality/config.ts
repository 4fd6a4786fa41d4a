import { defaulted, object, optional, type Infer } from 'superstruct';
import { loadConfig } from '../../runtime/config.js';
import { Count, HttpUrl, ListenHost, Name, OptionalText, Port, StackPid } from '../shared/env.js';
import { GOOGLE_JWKS_URL } from '../shared/push-auth.js';

/** pmp-data-quality's environment (README.md): the contract's variables plus tuning knobs. */
export const DataQualitySettings = object({
  PROJECT_ID: optional(Name),
  PORT: defaulted(Port, 8080),
  HOST: ListenHost,
  /**
   * When set, `POST /run` requires an OIDC token for this audience (what Cloud Scheduler sends).
   * Unset on Cloud Run, where the platform's invoker check does it; the local stack sets it.
   */
  INVOKER_AUDIENCE: OptionalText,
  INVOKER_JWKS_URL: defaulted(HttpUrl, GOOGLE_JWKS_URL),
  /** How far back each run looks. */
  WINDOW_HOURS: defaulted(Count(1), 24),
  PMP_STACK_PID: optional(StackPid),
});

export type DataQualitySettings = Infer<typeof DataQualitySettings>;

const NAMES = Object.keys(DataQualitySettings.schema);

export function loadDataQualitySettings(
  env: Record<string, string | undefined>,
): DataQualitySettings {
  return loadConfig(DataQualitySettings, Object.fromEntries(NAMES.map((n) => [n, env[n]])));
}
