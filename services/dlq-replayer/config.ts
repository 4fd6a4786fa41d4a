import { defaulted, object, optional, type Infer } from 'superstruct';
import { loadConfig } from '../../runtime/config.js';
import { Amount, Count, Flag, Name } from '../shared/env.js';
import type { ReplaySettings } from './replay.js';

/** The replayer job's environment (docs/contracts.md, "Service environment"). */
export const ReplayerEnv = object({
  PROJECT_ID: optional(Name),
  SUBSCRIPTION_ID: defaulted(Name, 'pmp-velib-station-info-push-dlq-hold-sub'),
  TARGET_TOPIC_ID: defaulted(Name, 'pmp-velib-station-info'),
  QPS: defaulted(Amount(0), 5),
  MAX_MESSAGES: defaulted(Count(1), 1000),
  BATCH_SIZE: defaulted(Count(1), 50),
  DRY_RUN: defaulted(Flag, false),
  REPLAY_ENABLED: defaulted(Flag, true),
  ACK_SKIPPED: defaulted(Flag, false),
});

export type ReplayerEnv = Infer<typeof ReplayerEnv>;

const NAMES = Object.keys(ReplayerEnv.schema);

export function loadReplayerEnv(env: Record<string, string | undefined>): ReplayerEnv {
  return loadConfig(ReplayerEnv, Object.fromEntries(NAMES.map((n) => [n, env[n]])));
}

export function replaySettings(env: ReplayerEnv): ReplaySettings {
  return {
    subscription: env.SUBSCRIPTION_ID,
    targetTopic: env.TARGET_TOPIC_ID,
    qps: env.QPS,
    maxMessages: env.MAX_MESSAGES,
    batchSize: env.BATCH_SIZE,
    dryRun: env.DRY_RUN,
    replayEnabled: env.REPLAY_ENABLED,
    ackSkipped: env.ACK_SKIPPED,
  };
}
