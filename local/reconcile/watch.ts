import { watch, type FSWatcher } from 'node:fs';
import { reconcile, type ReconcileOptions, type ReconcileResult } from './reconcile.js';

export interface ReconcileWatcher {
  close(): void;
}

/**
 * Re-runs `reconcile` whenever a YAML file under `options.dir` changes (after `debounceMs` of quiet,
 * so an `npm run synth` rewriting many files triggers one run). Runs never overlap: a change during
 * a run schedules exactly one more.
 */
export function watchReconcile(
  options: ReconcileOptions & { debounceMs?: number },
  onResult: (result: ReconcileResult | Error) => void,
): ReconcileWatcher {
  let timer: NodeJS.Timeout | undefined;
  let running = false;
  let again = false;
  const run = async (): Promise<void> => {
    if (running) {
      again = true;
      return;
    }
    running = true;
    try {
      onResult(await reconcile(options));
    } catch (error) {
      onResult(error as Error);
    } finally {
      running = false;
      if (again) {
        again = false;
        void run();
      }
    }
  };
  const watcher: FSWatcher = watch(options.dir, { recursive: true }, (_event, file) => {
    if (file && !/\.ya?ml$/.test(String(file))) return;
    clearTimeout(timer);
    timer = setTimeout(() => void run(), options.debounceMs ?? 300);
  });
  return {
    close: () => {
      clearTimeout(timer);
      watcher.close();
    },
  };
}
