import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/logger.js';
import { readManifestDir } from '../../cdk8s/manifests/index.js';
import { createSimClock } from './clock.js';
import { isCollectorJob, nextFireMs, schedulerJobsOf } from './jobs.js';
import { startScheduler } from './scheduler.js';

const root = path.resolve(import.meta.dirname, '../..');
const jobs = schedulerJobsOf(readManifestDir(path.join(root, 'clusters/local/demo')), 'pmp-local');

describe('scheduler jobs from the CloudSchedulerJob manifests', () => {
  it('reads cron, time zone, target, OIDC identity and retry settings', () => {
    const poll = jobs.find((j) => j.name === 'pmp-velib-poll-every-minute')!;
    expect(poll).toMatchObject({
      schedule: '* * * * *',
      timeZone: 'Europe/Paris',
      method: 'POST',
      uri: 'http://pmp-velib-collector:8080/collect',
      oidcAudience: 'http://pmp-velib-collector:8080',
      oidcEmail: 'pmp-scheduler-invoker@pmp-local.iam.gserviceaccount.com',
      attemptDeadlineSeconds: 30,
      retryCount: 1,
    });
    expect(jobs.map((j) => j.name).sort()).toEqual([
      'pmp-data-quality-hourly',
      'pmp-velib-poll-every-minute',
      'pmp-velib-station-info-daily',
    ]);
  });

  it("tells the collectors' jobs (what 'collect now' runs) from the data-quality run", () => {
    expect(
      jobs
        .filter(isCollectorJob)
        .map((j) => j.name)
        .sort(),
    ).toEqual(['pmp-velib-poll-every-minute', 'pmp-velib-station-info-daily']);
  });

  it('fires the daily job at 03:10 Paris time, summer and winter', () => {
    const daily = jobs.find((j) => j.name === 'pmp-velib-station-info-daily')!;
    expect(new Date(nextFireMs(daily, Date.parse('2025-07-01T12:00:00Z'))).toISOString()).toBe(
      '2025-07-02T01:10:00.000Z',
    );
    expect(new Date(nextFireMs(daily, Date.parse('2025-12-01T12:00:00Z'))).toISOString()).toBe(
      '2025-12-02T02:10:00.000Z',
    );
  });
});

describe('startScheduler', () => {
  it('runs the every-minute job once per simulated minute, on the minute; pause stops it', async () => {
    const clock = createSimClock({ speed: 600, start: new Date('2025-07-01T10:00:30Z') });
    const fired: number[] = [];
    const scheduler = startScheduler({
      jobs: jobs.filter((j) => j.name === 'pmp-velib-poll-every-minute'),
      clock,
      log: silentLogger(),
      invoke: async () => {
        fired.push(clock.now());
        return 'ok';
      },
    });
    await new Promise((resolve) => setTimeout(resolve, 1_200)); // ≈ 12 simulated minutes
    await scheduler.pause();
    const atPause = fired.length;
    expect(atPause).toBeGreaterThan(5);
    // Runs are about a simulated minute apart, never twice for one minute (timers may run late).
    const gaps = fired.slice(1).map((ms, i) => ms - fired[i]!);
    expect(Math.min(...gaps)).toBeGreaterThan(30_000);
    expect(new Date(fired[0]!).toISOString()).toMatch(/^2025-07-01T10:01:/);
    expect(scheduler.status()[0]).toMatchObject({ paused: true, nextRun: null, failures: 0 });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(fired.length).toBe(atPause);
    await scheduler.stop();
  });

  it('pause resolves only after the run in flight has finished', async () => {
    const clock = createSimClock({ speed: 1000 });
    let finishRun: (value: string) => void = () => undefined;
    const scheduler = startScheduler({
      jobs: jobs.filter((j) => j.name === 'pmp-velib-poll-every-minute'),
      clock,
      log: silentLogger(),
      paused: true,
      invoke: () => new Promise<string>((resolve) => (finishRun = resolve)),
    });
    const run = scheduler.runNow('pmp-velib-poll-every-minute');
    let pauseSettled = false;
    const pausing = scheduler.pause().then(() => (pauseSettled = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pauseSettled).toBe(false);
    finishRun('published');
    await pausing;
    await expect(run).resolves.toBe('published');
    expect(scheduler.status()[0]).toMatchObject({ paused: true, runs: 1, lastResult: 'published' });
    await scheduler.stop();
  });

  it('retries a failing target per retryConfig and records the failure; runNow names unknown jobs', async () => {
    const clock = createSimClock({ speed: 1000 });
    let calls = 0;
    const scheduler = startScheduler({
      jobs: jobs.filter((j) => j.name === 'pmp-velib-poll-every-minute'),
      clock,
      log: silentLogger(),
      paused: true,
      invoke: async () => {
        calls += 1;
        throw new Error('503 from target');
      },
    });
    await expect(scheduler.runNow('pmp-velib-poll-every-minute')).rejects.toThrow('503');
    expect(calls).toBe(2); // one attempt + retryCount 1
    expect(scheduler.status()[0]).toMatchObject({ runs: 1, failures: 1 });
    expect(scheduler.status()[0]!.lastResult).toMatch(/failed: 503/);
    await expect(scheduler.runNow('nope')).rejects.toThrow(
      /no scheduler job nope; jobs: pmp-velib-poll/,
    );
    await scheduler.stop();
  });
});
