import { describe, expect, it } from 'vitest';
import { findObject, ofKind, synthChart, testConfig } from './testing/render-chart.js';
import { MessagingChart } from './messaging-chart.js';
import { SUBSCRIPTIONS, TOPICS } from '../core/resource-names.js';

const config = testConfig('dev');
const objects = synthChart((app) => new MessagingChart(app, 'messaging', { config }));

describe('MessagingChart', () => {
  it('renders as before', () => {
    expect(objects).toMatchSnapshot();
  });

  it('has every topic and subscription of the architecture', () => {
    expect(
      ofKind(objects, 'PubSubTopic')
        .map((t) => t.metadata.name)
        .sort(),
    ).toEqual(Object.values(TOPICS).sort());
    expect(
      ofKind(objects, 'PubSubSubscription')
        .map((s) => s.metadata.name)
        .sort(),
    ).toEqual(Object.values(SUBSCRIPTIONS).sort());
  });

  it('pushes with OIDC to the writers, as a dedicated invoker', () => {
    const toBq = findObject(objects, 'PubSubSubscription', SUBSCRIPTIONS.eventsToBq).spec;
    expect(toBq.topicRef).toEqual({ name: TOPICS.events });
    expect(toBq.pushConfig).toEqual({
      pushEndpoint: 'https://pmp-bq-writer-418230917562.europe-west9.run.app/pubsub',
      oidcToken: {
        serviceAccountEmail: 'pmp-push-bq-writer@pmp-dev-paris.iam.gserviceaccount.com',
        audience: 'https://pmp-bq-writer-418230917562.europe-west9.run.app',
      },
    });
    expect(toBq.retryPolicy).toEqual({ minimumBackoff: '10s', maximumBackoff: '600s' });
  });

  it('dead-letters station-information pushes after 5 attempts', () => {
    const info = findObject(objects, 'PubSubSubscription', SUBSCRIPTIONS.stationInfoToBq).spec;
    expect(info.deadLetterPolicy).toEqual({
      deadLetterTopicRef: { name: TOPICS.stationInfoPushDlq },
      maxDeliveryAttempts: 5,
    });
  });

  it('keeps the audit and hold subscriptions 7 days and never expires any', () => {
    for (const name of [SUBSCRIPTIONS.eventsAudit, SUBSCRIPTIONS.stationInfoDlqHold]) {
      expect(findObject(objects, 'PubSubSubscription', name).spec.messageRetentionDuration).toBe(
        '604800s',
      );
    }
    for (const sub of ofKind(objects, 'PubSubSubscription')) {
      expect(sub.spec.expirationPolicy, sub.metadata.name).toEqual({ ttl: '' });
      expect(sub.spec.ackDeadlineSeconds, sub.metadata.name).toBeGreaterThanOrEqual(60);
    }
  });

  it('writes dead letters to BigQuery with Pub/Sub metadata', () => {
    const toBq = findObject(objects, 'PubSubSubscription', SUBSCRIPTIONS.stationInfoDlqToBq).spec;
    expect(toBq.topicRef).toEqual({ name: TOPICS.stationInfoPushDlq });
    expect(toBq.bigqueryConfig).toMatchObject({
      tableRef: { name: 'velib-station-info-push-dlq' },
      writeMetadata: true,
    });
    expect(toBq.pushConfig).toBeUndefined();
  });
});
