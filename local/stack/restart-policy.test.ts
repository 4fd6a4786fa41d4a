import { describe, expect, it } from 'vitest';
import { RestartPolicy } from './restart-policy.js';

/** Crashes `policy` `times` times, each `upMs` after the restart it was given; returns the delays. */
function crashRepeatedly(policy: RestartPolicy, times: number, upMs: number, startMs = 0) {
  let now = startMs;
  const delays: number[] = [];
  for (let i = 0; i < times; i++) {
    policy.started(now);
    now += upMs;
    const { delayMs } = policy.crashed(now);
    delays.push(delayMs);
    now += delayMs;
  }
  return { delays, now };
}

describe('RestartPolicy', () => {
  it('backs off from 0.5 s, doubling up to 30 s', () => {
    // Crashes 20 s apart never make 5 inside a minute: pure backoff.
    const { delays } = crashRepeatedly(new RestartPolicy(), 9, 20_000);
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
  });

  it('five crashes inside a minute are a crash loop that waits the longest delay', () => {
    const policy = new RestartPolicy();
    const { delays, now } = crashRepeatedly(policy, 5, 100);
    expect(delays).toEqual([500, 1_000, 2_000, 4_000, 30_000]);
    expect(policy.crashLooping(now)).toBe(true);
  });

  it('stays crash-looping at the cap while crashes keep coming, even sparser than 5 a minute', () => {
    const policy = new RestartPolicy();
    const first = crashRepeatedly(policy, 5, 100);
    const later = crashRepeatedly(policy, 4, 100, first.now);
    expect(later.delays).toEqual([30_000, 30_000, 30_000, 30_000]);
    expect(policy.crashLooping(later.now)).toBe(true);
  });

  it('forgets backoff and crash loop once the component stayed up a minute', () => {
    const policy = new RestartPolicy();
    const loop = crashRepeatedly(policy, 5, 100);
    policy.started(loop.now);
    expect(policy.crashLooping(loop.now + 59_999)).toBe(true);
    expect(policy.crashLooping(loop.now + 60_000)).toBe(false);
    expect(policy.crashed(loop.now + 60_000)).toEqual({ delayMs: 500, crashLooping: false });
  });

  it('a crash after a short uptime keeps doubling', () => {
    const policy = new RestartPolicy();
    policy.started(0);
    expect(policy.crashed(59_000).delayMs).toBe(500);
    policy.started(59_500);
    expect(policy.crashed(60_000).delayMs).toBe(1_000);
  });

  it('a failed start (no started() in between) counts as a crash in a row', () => {
    const policy = new RestartPolicy({ initialDelayMs: 100, maxDelayMs: 1_000 });
    expect([0, 1, 2, 3, 4].map((i) => policy.crashed(i * 10_000).delayMs)).toEqual([
      100, 200, 400, 800, 1_000,
    ]);
  });

  it('takes its limits from options and refuses nonsense', () => {
    const policy = new RestartPolicy({ crashLoopCrashes: 2, crashLoopWindowMs: 1_000 });
    expect(policy.crashed(0).crashLooping).toBe(false);
    expect(policy.crashed(2_000).crashLooping).toBe(false);
    expect(policy.crashed(2_500)).toEqual({ delayMs: 30_000, crashLooping: true });
    expect(() => new RestartPolicy({ initialDelayMs: 0 })).toThrow(/initialDelayMs/);
    expect(() => new RestartPolicy({ initialDelayMs: 5_000, maxDelayMs: 1_000 })).toThrow(
      /maxDelayMs/,
    );
  });
});
