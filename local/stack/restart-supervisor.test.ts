import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../runtime/logger.js';
import { supervise, type Incarnation, type SupervisorClock } from './restart-supervisor.js';

/** A clock whose timers fire only when the test advances it. */
function manualClock() {
  let now = 0;
  let timers: { at: number; callback: () => void; handle: number }[] = [];
  let nextHandle = 1;
  const clock: SupervisorClock = {
    now: () => now,
    setTimeout: (callback, ms) => {
      timers.push({ at: now + ms, callback, handle: nextHandle });
      return nextHandle++;
    },
    clearTimeout: (handle) => (timers = timers.filter((t) => t.handle !== handle)),
  };
  const advance = async (ms: number) => {
    now += ms;
    const due = timers.filter((t) => t.at <= now);
    timers = timers.filter((t) => t.at > now);
    for (const t of due) t.callback();
    // Let the restart's awaits run.
    for (let i = 0; i < 10; i++) await Promise.resolve();
  };
  return { clock, advance, pending: () => timers.map((t) => t.at - now) };
}

/** Fake incarnations the test kills by hand. */
function fakeComponent() {
  const lives: { id: number; die: (reason: string) => void; stopped: boolean }[] = [];
  let failNextStarts = 0;
  const start = async (): Promise<Incarnation<number>> => {
    if (failNextStarts > 0) {
      failNextStarts -= 1;
      throw new Error('address in use');
    }
    let die!: (reason: string) => void;
    const ended = new Promise<string>((resolve) => (die = resolve));
    const life = { id: lives.length + 1, die, stopped: false };
    lives.push(life);
    return { instance: life.id, ended };
  };
  const stop = async (id: number) => {
    const life = lives[id - 1]!;
    life.stopped = true;
    life.die('stopped');
  };
  return { lives, start, stop, failStarts: (n: number) => (failNextStarts = n) };
}

const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

describe('supervise', () => {
  it('starts a dead component again after the backoff, counting restarts and the last error', async () => {
    const { clock, advance, pending } = manualClock();
    const component = fakeComponent();
    const supervised = await supervise({ name: 'x', ...component, log: silentLogger(), clock });
    expect(supervised.phase()).toBe('running');

    component.lives[0]!.die('killed by SIGKILL');
    await settle();
    expect(supervised.phase()).toBe('restarting');
    expect(pending()).toEqual([500]);
    await advance(499);
    expect(component.lives).toHaveLength(1);
    await advance(1);
    expect(component.lives).toHaveLength(2);
    expect(supervised.current()).toBe(2);
    expect(supervised.restarts()).toBe(1);
    expect(supervised.lastError()).toBe('killed by SIGKILL');
  });

  it('a start that fails is a crash too: the next try waits twice as long', async () => {
    const { clock, advance, pending } = manualClock();
    const component = fakeComponent();
    const supervised = await supervise({ name: 'x', ...component, log: silentLogger(), clock });
    component.failStarts(1);
    component.lives[0]!.die('exit code 1');
    await settle();
    await advance(500);
    expect(supervised.lastError()).toBe('address in use');
    expect(pending()).toEqual([1_000]);
    await advance(1_000);
    expect(supervised.current()).toBe(2);
    expect(supervised.restarts()).toBe(2);
  });

  it('reports crash-looping and never spins', async () => {
    const { clock, advance, pending } = manualClock();
    const component = fakeComponent();
    const supervised = await supervise({ name: 'x', ...component, log: silentLogger(), clock });
    for (let i = 0; i < 5; i++) {
      component.lives.at(-1)!.die('exit code 1: boom');
      await settle();
      await advance(pending()[0]!);
    }
    component.lives.at(-1)!.die('exit code 1: boom');
    await settle();
    expect(supervised.phase()).toBe('crash-looping');
    expect(pending()).toEqual([30_000]);
  });

  it('a deliberate stop, or a stack shutting down, restarts nothing', async () => {
    const { clock, advance, pending } = manualClock();
    const component = fakeComponent();
    const shutdown = new AbortController();
    const supervised = await supervise({
      name: 'x',
      ...component,
      log: silentLogger(),
      clock,
      stopRestarts: shutdown.signal,
    });
    component.lives[0]!.die('killed by SIGINT');
    await settle();
    expect(pending()).toEqual([500]);
    shutdown.abort();
    expect(pending()).toEqual([]);
    await advance(60_000);
    expect(component.lives).toHaveLength(1);
    expect(supervised.restarts()).toBe(0);

    const other = fakeComponent();
    const stopped = await supervise({ name: 'y', ...other, log: silentLogger(), clock });
    await stopped.stop();
    await settle();
    expect(other.lives[0]!.stopped).toBe(true);
    expect(pending()).toEqual([]);
    expect(stopped.phase()).toBe('stopped');
  });
});
