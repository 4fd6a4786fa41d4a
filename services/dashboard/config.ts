import { defaulted, object, optional, type Infer } from 'superstruct';
import { loadConfig } from '../../runtime/config.js';
import { Count, ListenHost, Name, Port, StackPid } from '../shared/env.js';

/** The dashboard's environment (docs/contracts.md) plus an optional cache setting. */
export const DashboardSettings = object({
  PROJECT_ID: optional(Name),
  MARTS_DATASET: defaulted(Name, 'pmp_marts'),
  OPS_DATASET: defaulted(Name, 'pmp_ops'),
  PORT: defaulted(Port, 8080),
  HOST: ListenHost,
  /** How long a mart query result is served from memory. */
  CACHE_SECONDS: defaulted(Count(0), 15),
  PMP_STACK_PID: optional(StackPid),
});

export type DashboardSettings = Infer<typeof DashboardSettings>;

const NAMES = Object.keys(DashboardSettings.schema);

/** Validates the environment once, keeping only the variables above; fails naming the variable. */
export function loadDashboardSettings(env: Record<string, string | undefined>): DashboardSettings {
  return loadConfig(DashboardSettings, Object.fromEntries(NAMES.map((n) => [n, env[n]])));
}
