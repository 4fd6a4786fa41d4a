export const DRILL_STEPS = [
  'publish',
  'dead-letter topic',
  'hold subscription',
  'BigQuery DLQ table',
  'replay',
  'back on the source topic',
] as const;
export type DrillStepName = (typeof DRILL_STEPS)[number];

export interface DrillStep {
  readonly step: DrillStepName;
  readonly ok: boolean;
  /** Since the drill message was published (0 for the publish itself). */
  readonly atMs: number;
  /** How long this step waited. */
  readonly tookMs: number;
  readonly detail: string;
}

/** The steps taken so far, timed from the publish. */
export interface StepLog {
  readonly steps: DrillStep[];
  /** `performance.now()` when the drill message was published. */
  publishedAt: number;
  readonly pollMs: number;
  readonly onStep?: (step: DrillStep) => void;
}

/** A step that failed or timed out; its message is the step's name. The drill stops there. */
export class StepFailed extends Error {}

/** What a step looks for: a detail once it happened, undefined while it has not (yet). */
export type StepCheck = () => Promise<string | undefined> | string | undefined;

/** Polls `check` until it reports the step, fails, or `timeoutMs` passes; records the outcome. */
export async function awaitStep(
  log: StepLog,
  name: DrillStepName,
  timeoutMs: number,
  check: StepCheck,
): Promise<void> {
  const startedAt = performance.now();
  for (;;) {
    let detail: string | undefined;
    try {
      detail = await check();
    } catch (error) {
      recordStep(log, name, false, startedAt, `failed: ${(error as Error).message}`);
      throw new StepFailed(name);
    }
    if (detail !== undefined) return recordStep(log, name, true, startedAt, detail);
    if (performance.now() - startedAt > timeoutMs) {
      recordStep(
        log,
        name,
        false,
        startedAt,
        `did not happen within ${Math.round(timeoutMs / 1000)} s`,
      );
      throw new StepFailed(name);
    }
    await new Promise((resolve) => setTimeout(resolve, log.pollMs));
  }
}

function recordStep(
  log: StepLog,
  step: DrillStepName,
  ok: boolean,
  startedAt: number,
  detail: string,
): void {
  const now = performance.now();
  const entry = {
    step,
    ok,
    atMs: Math.round(now - log.publishedAt),
    tookMs: Math.round(now - startedAt),
    detail,
  };
  log.steps.push(entry);
  log.onStep?.(entry);
}
