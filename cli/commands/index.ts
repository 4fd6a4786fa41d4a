import type { Command } from 'commander';
import { registerSimulate } from './simulate.js';
import { registerStart } from './start.js';
import { registerCurate } from './curate.js';
import { registerEmulators } from './emulators.js';
import { registerDashboard } from './dashboard.js';
import { registerSynth } from './synth.js';
import { registerValidate } from './validate.js';
import { registerDiff } from './diff.js';
import { registerDlq } from './dlq.js';
import { registerReconcile } from './reconcile.js';
import { registerStatus } from './status.js';
import { registerReplay } from './replay.js';
import { registerDemo } from './demo.js';
import { registerQuality } from './quality.js';

/** Every `pmp` subcommand, in the order `pmp --help` lists them. One line per command file. */
export function registerCommands(program: Command): void {
  registerStart(program);
  registerEmulators(program);
  registerCurate(program);
  registerSimulate(program);
  registerDashboard(program);
  registerSynth(program);
  registerValidate(program);
  registerDiff(program);
  registerDlq(program);
  registerReconcile(program);
  registerStatus(program);
  registerReplay(program);
  registerDemo(program);
  registerQuality(program);
}
