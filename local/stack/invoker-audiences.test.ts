import { describe, expect, it } from 'vitest';
import type { SchedulerJob } from '../scheduler/jobs.js';
import { invokerAudiences } from './invoker-audiences.js';

const job = (uri: string, oidcAudience: string | null) =>
  ({
    name: uri,
    uri,
    oidcAudience,
    oidcEmail: 'invoker@p.iam.gserviceaccount.com',
  }) as SchedulerJob;

describe('invokerAudiences', () => {
  it("gives each service its scheduler jobs' audience, by the host name the call is routed by", () => {
    const names = ['pmp-velib-collector', 'pmp-velib-station-info-collector', 'pmp-bq-writer'];
    expect(
      invokerAudiences(
        [
          job('http://pmp-velib-collector:8080/collect', 'http://pmp-velib-collector:8080'),
          job(
            'https://pmp-velib-station-info-collector-418230917562.europe-west9.run.app/collect',
            'https://pmp-velib-station-info-collector-418230917562.europe-west9.run.app',
          ),
          job('http://pmp-bq-writer:8080/x', null),
          job('https://example.com/hook', 'https://example.com'),
        ],
        names,
      ),
    ).toEqual({
      'pmp-velib-collector': 'http://pmp-velib-collector:8080',
      'pmp-velib-station-info-collector':
        'https://pmp-velib-station-info-collector-418230917562.europe-west9.run.app',
    });
  });
});
