import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import { CloudSchedulerJob } from '../cdk8s/imports/cloudscheduler.cnrm.cloud.google.com.js';
import { serviceUrl } from './environment.js';
import { SCHEDULER_JOBS, SERVICE_ACCOUNTS, SERVICES } from '../core/resource-names.js';

export interface SchedulingChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
  /**
   * Time zone of the cron expressions.
   * @default 'Europe/Paris'
   */
  readonly timeZone?: string;
}

/**
 * The Cloud Scheduler jobs: the two that drive the collectors and the hourly data-quality run. They cost money while they exist (and
 * CloudSchedulerJob has no pause field), so they render to `demo/`, applied and deleted by
 * `pmp demo`, outside the Config Sync root.
 */
export class SchedulingChart extends Chart {
  constructor(scope: Construct, id: string, props: SchedulingChartProps) {
    super(scope, id, { namespace: props.config.namespace });
    const { config } = props;
    const jobs = [
      {
        name: SCHEDULER_JOBS.pollEveryMinute,
        schedule: '* * * * *',
        service: SERVICES.collector,
        description: 'Collect Vélib station_status every minute',
        // A minute-level poll must not pile up: give up before the next tick.
        retryConfig: {
          retryCount: 1,
          maxRetryDuration: '50s',
          minBackoffDuration: '5s',
          maxBackoffDuration: '20s',
          maxDoublings: 2,
        },
        attemptDeadline: '30s',
      },
      {
        name: SCHEDULER_JOBS.stationInfoDaily,
        schedule: '10 3 * * *',
        service: SERVICES.stationInfoCollector,
        description: 'Collect Vélib station_information daily at 03:10',
        retryConfig: {
          retryCount: 5,
          maxRetryDuration: '3600s',
          minBackoffDuration: '30s',
          maxBackoffDuration: '600s',
          maxDoublings: 3,
        },
        attemptDeadline: '120s',
      },
      {
        name: SCHEDULER_JOBS.dataQualityHourly,
        schedule: '17 * * * *',
        service: SERVICES.dataQuality,
        path: '/run',
        invoker: SERVICE_ACCOUNTS.dataQualityInvoker,
        description: 'Run the data-quality assertions over the last 24 hours, every hour at :17',
        // A failed error assertion answers 500: retrying cannot fix the data, so one retry only
        // covers a transient failure of the run itself.
        retryConfig: {
          retryCount: 1,
          maxRetryDuration: '600s',
          minBackoffDuration: '30s',
          maxBackoffDuration: '120s',
          maxDoublings: 1,
        },
        attemptDeadline: '300s',
      },
    ];
    for (const job of jobs) {
      const base = serviceUrl(config, job.service);
      new CloudSchedulerJob(this, job.name, {
        metadata: { name: job.name },
        spec: {
          resourceId: job.name,
          location: config.schedulerLocation,
          description: job.description,
          schedule: job.schedule,
          timeZone: props.timeZone ?? 'Europe/Paris',
          attemptDeadline: job.attemptDeadline,
          retryConfig: job.retryConfig,
          httpTarget: {
            uri: `${base}${'path' in job ? job.path : '/collect'}`,
            httpMethod: 'POST',
            oidcToken: {
              serviceAccountRef: {
                name: 'invoker' in job ? job.invoker : SERVICE_ACCOUNTS.schedulerInvoker,
              },
              audience: base,
            },
          },
        },
      });
    }
  }
}
