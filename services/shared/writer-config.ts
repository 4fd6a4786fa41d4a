import { defaulted, object, optional, type Infer } from 'superstruct';
import { loadConfig } from '../../runtime/config.js';
import { Flag, HttpUrl, ListenHost, Name, OptionalText, Port, StackPid } from './env.js';
import { GOOGLE_JWKS_URL } from './push-auth.js';

/** The environment of both push writers (docs/contracts.md, "Service environment"). */
export const WriterSettings = object({
  PROJECT_ID: optional(Name),
  BQ_DATASET: Name,
  BQ_TABLE: Name,
  WRITER_DLQ_TABLE: defaulted(Name, 'pmp_ops.push_writer_dlq'),
  PUSH_AUDIENCE: OptionalText,
  PUSH_JWKS_URL: defaulted(HttpUrl, GOOGLE_JWKS_URL),
  DLQ_TEST_ENABLED: defaulted(Flag, false),
  PORT: defaulted(Port, 8080),
  HOST: ListenHost,
  PMP_STACK_PID: optional(StackPid),
});

export type WriterSettings = Infer<typeof WriterSettings>;

/** Reads the writer settings, keeping only what the contract lists (other variables are ignored). */
export function loadWriterSettings(
  env: Record<string, string | undefined>,
  defaults: { BQ_DATASET: string; BQ_TABLE: string },
): WriterSettings {
  const pick = (name: string) => env[name];
  return loadConfig(WriterSettings, {
    PROJECT_ID: pick('PROJECT_ID'),
    BQ_DATASET: pick('BQ_DATASET') ?? defaults.BQ_DATASET,
    BQ_TABLE: pick('BQ_TABLE') ?? defaults.BQ_TABLE,
    WRITER_DLQ_TABLE: pick('WRITER_DLQ_TABLE'),
    PUSH_AUDIENCE: pick('PUSH_AUDIENCE'),
    PUSH_JWKS_URL: pick('PUSH_JWKS_URL'),
    DLQ_TEST_ENABLED: pick('DLQ_TEST_ENABLED'),
    PORT: pick('PORT'),
    HOST: pick('HOST'),
    PMP_STACK_PID: pick('PMP_STACK_PID'),
  });
}
