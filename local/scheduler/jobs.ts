import { CronExpressionParser } from 'cron-parser';
import { describeObject, ofKind, type LoadedManifest } from '../../cdk8s/manifests/index.js';
import { parseDurationSeconds } from '../reconcile/desired.js';

/** A CloudSchedulerJob reduced to what the local scheduler runs. */
export interface SchedulerJob {
  readonly name: string;
  readonly schedule: string;
  readonly timeZone: string;
  readonly method: string;
  /** As in the manifest (`http://pmp-velib-collector:8080/collect`); mapped at call time. */
  readonly uri: string;
  readonly oidcAudience: string | null;
  /** The invoker's e-mail (`<serviceAccountRef.name>@<project>.iam.gserviceaccount.com`). */
  readonly oidcEmail: string | null;
  readonly attemptDeadlineSeconds: number;
  readonly retryCount: number;
  readonly minBackoffSeconds: number;
  readonly maxBackoffSeconds: number;
}

/**
 * A job that calls a collector (its target's path is `/collect`): what "collect now" runs, locally
 * and with `pmp demo collect`, and not the hourly data-quality run, which would judge a warehouse
 * the collection has not reached yet.
 */
export function isCollectorJob(job: Pick<SchedulerJob, 'uri'>): boolean {
  return new URL(job.uri).pathname === '/collect';
}

const text = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const rec = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};

/** Reads the CloudSchedulerJob manifests (HTTP targets); throws naming the manifest on bad cron. */
export function schedulerJobsOf(
  manifests: readonly LoadedManifest[],
  projectId: string,
): SchedulerJob[] {
  return ofKind(manifests, 'CloudSchedulerJob').map((m) => {
    const at = `${m.file}: ${describeObject(m.object)}`;
    const spec = m.object.spec ?? {};
    const http = rec(spec.httpTarget);
    const uri = text(http.uri);
    if (!uri) throw new Error(`${at}: only httpTarget jobs run locally (no httpTarget.uri)`);
    const schedule = text(spec.schedule);
    if (!schedule) throw new Error(`${at}: no schedule`);
    const timeZone = text(spec.timeZone) ?? 'Etc/UTC';
    try {
      CronExpressionParser.parse(schedule, { tz: timeZone });
    } catch (error) {
      throw new Error(`${at}: schedule "${schedule}" (${timeZone}): ${(error as Error).message}`);
    }
    const oidc = rec(http.oidcToken);
    const account =
      text(oidc.serviceAccountEmail) ??
      (text(rec(oidc.serviceAccountRef).name)
        ? `${text(rec(oidc.serviceAccountRef).name)}@${projectId}.iam.gserviceaccount.com`
        : null);
    const retry = rec(spec.retryConfig);
    return {
      name: text(spec.resourceID) ?? m.object.metadata.name,
      schedule,
      timeZone,
      method: text(http.httpMethod) ?? 'POST',
      uri,
      oidcAudience: text(oidc.audience) ?? (account ? uri : null),
      oidcEmail: account,
      attemptDeadlineSeconds:
        parseDurationSeconds(spec.attemptDeadline, `${at}: attemptDeadline`) ?? 180,
      retryCount: typeof retry.retryCount === 'number' ? retry.retryCount : 0,
      minBackoffSeconds:
        parseDurationSeconds(retry.minBackoffDuration, `${at}: minBackoffDuration`) ?? 5,
      maxBackoffSeconds:
        parseDurationSeconds(retry.maxBackoffDuration, `${at}: maxBackoffDuration`) ?? 3600,
    };
  });
}

/** The first fire time strictly after `afterMs`, in the job's time zone. */
export function nextFireMs(
  job: Pick<SchedulerJob, 'schedule' | 'timeZone'>,
  afterMs: number,
): number {
  return CronExpressionParser.parse(job.schedule, {
    currentDate: new Date(afterMs),
    tz: job.timeZone,
  })
    .next()
    .getTime();
}
