import path from 'node:path';
import { DATAFLOW_JOB, SERVICES } from '../../core/resource-names.js';
import type { RunningEmulators } from '../emulators.js';
import type { LocalScheduler } from '../scheduler/scheduler.js';
import type { RunningFeed } from './feed.js';
import type { StackRunner } from './stack-runner.js';
import type { EmulatorEnv, StackServices } from './stack-services.js';
import type { ComponentState } from './state-file.js';

/** What the stack table, `pmp status` and `GET /status` list: everything the stack started. */
export interface StackParts {
  readonly emulators: RunningEmulators;
  readonly emulatorEnv: EmulatorEnv;
  readonly dataDir: string | null;
  readonly feed: RunningFeed;
  readonly services: StackServices;
  readonly runner: StackRunner;
  readonly scheduler: LocalScheduler | undefined;
}

/** Emulators, feed, services, the curated runner and the scheduler jobs, in that order. */
export function componentsOf(parts: StackParts): ComponentState[] {
  return [
    ...emulatorAndFeedComponents(parts),
    ...serviceComponents(parts.services),
    runnerComponent(parts.runner),
    ...schedulerComponents(parts.scheduler),
  ];
}

function emulatorAndFeedComponents(parts: StackParts): ComponentState[] {
  const { emulators, emulatorEnv, dataDir, feed } = parts;
  const pubsubStatus = emulators.pubsub!.status();
  return [
    {
      name: 'Pub/Sub emulator',
      kind: 'emulator',
      url: emulatorEnv.PUBSUB_EMULATOR_HOST,
      status: 'running',
      detail: `${pubsubStatus.topics.length} topics, ${pubsubStatus.subscriptions.length} subscriptions; status page ${emulators.pubsub!.adminUrl}/`,
    },
    {
      name: 'BigQuery emulator',
      kind: 'emulator',
      url: emulatorEnv.BIGQUERY_EMULATOR_HOST,
      status: 'running',
      detail: dataDir ? `DuckDB in ${path.relative(process.cwd(), dataDir) || '.'}` : 'in memory',
    },
    {
      name: 'feed',
      kind: 'feed',
      url: `${feed.baseUrl}/station_status.json`,
      status: 'running',
      detail: feed.describe(),
    },
  ];
}

function serviceComponents(services: StackServices): ComponentState[] {
  return services.wanted.map((spec) => {
    const service = services.running.get(spec.name);
    return {
      name: spec.name,
      kind: spec.name === SERVICES.dashboard ? 'dashboard' : 'service',
      url: service ? service.url : null,
      status: service ? service.status() : 'failed to start (see logs)',
      detail: service?.detail(),
      ...(service ? { pid: service.pid, restarts: service.restarts() } : {}),
    };
  });
}

function runnerComponent(stackRunner: StackRunner): ComponentState {
  const stats = stackRunner.totals();
  const runner = stackRunner.current();
  return {
    name: DATAFLOW_JOB,
    kind: 'job',
    url: null,
    status: stackRunner.paused()
      ? 'paused'
      : runner && runner.phase() !== 'running'
        ? runner.phase()
        : stats.lastError
          ? `running (last error: ${stats.lastError})`
          : 'running',
    detail: [
      `${stats.messagesAcked} snapshots → ${stats.rowsInserted} rows, ${stats.dlqInserted} DLQ`,
      runner?.describeRestarts() ?? '',
    ]
      .filter((part) => part !== '')
      .join('; '),
    ...(runner ? { restarts: runner.restarts() } : {}),
  };
}

function schedulerComponents(scheduler: LocalScheduler | undefined): ComponentState[] {
  return (scheduler?.status() ?? []).map((s) => ({
    name: s.name,
    kind: 'scheduler',
    url: null,
    status: s.paused ? 'paused' : 'scheduled',
    detail: `${s.schedule} ${s.timeZone}; ${s.runs} runs, ${s.failures} failed${
      s.nextRun ? `; next ${s.nextRun.slice(0, 16).replace('T', ' ')} UTC (simulated)` : ''
    }`,
  }));
}
