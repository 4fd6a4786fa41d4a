import '../beam-sdk.js';
import type { MonitoringInfo } from 'apache-beam/proto/metrics';
import type { Pipeline } from 'apache-beam/proto/beam_runner_api';
import { PortableRunner } from 'apache-beam/runners/portable_runner/runner';
import type { PipelineResult } from 'apache-beam/runners/runner';
import { aggregateMetrics } from 'apache-beam/worker/metrics';
import { onExternalWorkerPool } from './external-environments.js';

type JobMetricsResponse = Awaited<ReturnType<PortableRunner['getJobMetrics']>>;

/** Which of the job service's metric results a figure was read from. */
export type MetricResultKind = 'committed' | 'attempted';

/** A job's user counters and which results they came from (none: the service reported none). */
export interface ReportedCounters {
  readonly counters: Record<string, number>;
  readonly from: MetricResultKind | null;
}

const USER_COUNTER_URN = 'beam:metric:user:sum_int64:v1';

/**
 * The SDK's PortableRunner, keeping the last GetJobMetrics answer of its job service. The SDK's
 * `result.counters()` reads only the `committed` results, and reads them once, as the job ends,
 * just before it stops the job service; a service that reports its user counters as `attempted`
 * only then looks as if it had none. Both lists are kept here, as reported.
 */
export class MetricsKeepingPortableRunner extends PortableRunner {
  private lastMetrics: JobMetricsResponse['metrics'] | undefined;

  constructor(
    options: ConstructorParameters<typeof PortableRunner>[0],
    jobService?: ConstructorParameters<typeof PortableRunner>[1],
    /** TypeScript workers from a pool of the caller's (owned-worker-pool.ts) instead of LOOPBACK. */
    private readonly workerPoolAddress?: string,
  ) {
    super(options, jobService);
  }

  override async runPipeline(
    pipeline: Pipeline,
    options?: Parameters<PortableRunner['runPipeline']>[1],
  ): Promise<PipelineResult> {
    const address = this.workerPoolAddress;
    if (!address) return super.runPipeline(pipeline, options);
    // Not LOOPBACK, so the SDK starts no pool of its own; the environments are external already.
    return super.runPipeline(
      onExternalWorkerPool(pipeline, address),
      Object.assign({}, options, { environmentType: 'EXTERNAL' }),
    );
  }

  override async getJobMetrics(jobId: string): Promise<JobMetricsResponse> {
    const response = await super.getJobMetrics(jobId);
    this.lastMetrics = response.metrics;
    return response;
  }

  /**
   * The user counters of the last job that ended: the committed results if the service reported
   * any user counter there, else the attempted ones (for a batch job that finished DONE without
   * retries, the same values), else none.
   */
  reportedUserCounters(): ReportedCounters {
    const results: Record<MetricResultKind, MonitoringInfo[]> = {
      committed: this.lastMetrics?.committed ?? [],
      attempted: this.lastMetrics?.attempted ?? [],
    };
    for (const kind of ['committed', 'attempted'] as const) {
      const counters = Object.fromEntries(
        aggregateMetrics(results[kind], USER_COUNTER_URN),
      ) as Record<string, number>;
      if (Object.keys(counters).length > 0) return { counters, from: kind };
    }
    return { counters: {}, from: null };
  }
}
