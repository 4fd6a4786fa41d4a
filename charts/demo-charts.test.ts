import { describe, expect, it } from 'vitest';
import { findObject, synthChart, testConfig } from './testing/render-chart.js';
import { BudgetChart } from './budget-chart.js';
import { SCHEDULER_JOBS } from '../core/resource-names.js';
import { SchedulingChart } from './scheduling-chart.js';
import { StreamingJobChart } from './streaming-job-chart.js';

const config = testConfig('dev');

describe('SchedulingChart', () => {
  const objects = synthChart((app) => new SchedulingChart(app, 's', { config }));

  it('renders as before', () => {
    expect(objects).toMatchSnapshot();
  });

  it('polls every minute and station information daily at 03:10, Paris time, with OIDC', () => {
    const poll = findObject(objects, 'CloudSchedulerJob', SCHEDULER_JOBS.pollEveryMinute).spec;
    const daily = findObject(objects, 'CloudSchedulerJob', SCHEDULER_JOBS.stationInfoDaily).spec;
    expect([poll.schedule, poll.timeZone, poll.location]).toEqual([
      '* * * * *',
      'Europe/Paris',
      'europe-west1',
    ]);
    expect([daily.schedule, daily.timeZone]).toEqual(['10 3 * * *', 'Europe/Paris']);
    expect(poll.httpTarget).toEqual({
      uri: 'https://pmp-velib-collector-418230917562.europe-west9.run.app/collect',
      httpMethod: 'POST',
      oidcToken: {
        serviceAccountRef: { name: 'pmp-scheduler-invoker' },
        audience: 'https://pmp-velib-collector-418230917562.europe-west9.run.app',
      },
    });
    expect(daily.retryConfig.retryCount).toBeGreaterThan(0);
  });

  it('runs the data-quality assertions hourly, POST /run with its own invoker', () => {
    const job = findObject(objects, 'CloudSchedulerJob', SCHEDULER_JOBS.dataQualityHourly).spec;
    expect([job.schedule, job.timeZone]).toEqual(['17 * * * *', 'Europe/Paris']);
    expect(job.httpTarget).toEqual({
      uri: 'https://pmp-data-quality-418230917562.europe-west9.run.app/run',
      httpMethod: 'POST',
      oidcToken: {
        serviceAccountRef: { name: 'pmp-quality-invoker' },
        audience: 'https://pmp-data-quality-418230917562.europe-west9.run.app',
      },
    });
  });
});

describe('StreamingJobChart', () => {
  const objects = synthChart((app) => new StreamingJobChart(app, 'j', { config }));

  it('renders as before', () => {
    expect(objects).toMatchSnapshot();
  });

  it('drains on delete and passes the three pipeline parameters', () => {
    const job = findObject(objects, 'DataflowFlexTemplateJob', 'pmp-velib-curated');
    expect(job.metadata.annotations['cnrm.cloud.google.com/on-delete']).toBe('drain');
    expect(job.spec.parameters).toEqual({
      input_subscription: 'projects/pmp-dev-paris/subscriptions/pmp-events-dataflow-sub',
      output_table: 'pmp-dev-paris:pmp_curated.velib_station_status',
      dlq_table: 'pmp-dev-paris:pmp_ops.velib_station_status_curated_dlq',
    });
    expect(job.spec.serviceAccountEmailRef).toEqual({ name: 'pmp-dataflow' });
  });
});

describe('BudgetChart', () => {
  const objects = synthChart((app) => new BudgetChart(app, 'b', { config }));

  it('renders as before', () => {
    expect(objects).toMatchSnapshot();
  });

  it('budgets USD 40 a month with 50/90/100 % actual and 100 % forecast alerts', () => {
    const spec = findObject(objects, 'BillingBudgetsBudget', 'pmp-monthly-budget').spec;
    expect(spec.amount).toEqual({ specifiedAmount: { currencyCode: 'USD', units: 40 } });
    expect(spec.thresholdRules).toEqual([
      { thresholdPercent: 0.5, spendBasis: 'CURRENT_SPEND' },
      { thresholdPercent: 0.9, spendBasis: 'CURRENT_SPEND' },
      { thresholdPercent: 1.0, spendBasis: 'CURRENT_SPEND' },
      { thresholdPercent: 1.0, spendBasis: 'FORECASTED_SPEND' },
    ]);
    expect(spec.billingAccountRef).toEqual({ external: 'billingAccounts/01A7C3-5B9D2E-F04E61' });
  });
});
