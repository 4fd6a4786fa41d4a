import { Chart } from 'cdk8s';
import type { Construct } from 'constructs';
import type { EnvConfig } from './env-config.js';
import {
  PubSubSubscription,
  PubSubTopic,
  type PubSubSubscriptionSpec,
} from '../cdk8s/imports/pubsub.cnrm.cloud.google.com.js';
import { stationInfoPushDlqTable } from '../core/warehouse/index.js';
import { serviceAccountEmail, serviceUrl } from './environment.js';
import {
  kubernetesName,
  SERVICE_ACCOUNTS,
  SERVICES,
  SUBSCRIPTIONS,
  TOPICS,
} from '../core/resource-names.js';

const SEVEN_DAYS = '604800s';
const ONE_DAY = '86400s';
/** Pub/Sub's own bounds; the push retries back off across the whole range. */
const PUSH_RETRY = { minimumBackoff: '10s', maximumBackoff: '600s' } as const;
/** An empty TTL means the subscription never expires for inactivity. */
const NEVER_EXPIRES = { ttl: '' } as const;

/** A subscription to `topic` as most are: a minute to ack, a week kept. Others override a field. */
const onTopic = (topic: string) => ({
  topicRef: { name: topic },
  ackDeadlineSeconds: 60,
  messageRetentionDuration: SEVEN_DAYS,
});

export interface MessagingChartProps {
  /** The environment rendered. */
  readonly config: EnvConfig;
  /**
   * Delivery attempts before a station-information push is dead-lettered.
   * @default 5
   */
  readonly maxDeliveryAttempts?: number;
}

/** Topics and subscriptions of the data path (ARCHITECTURE.md, steps 1–6). */
export class MessagingChart extends Chart {
  constructor(scope: Construct, id: string, props: MessagingChartProps) {
    super(scope, id, { namespace: props.config.namespace });
    const { config } = props;

    for (const topic of Object.values(TOPICS)) {
      new PubSubTopic(this, topic, { metadata: { name: topic }, spec: { resourceId: topic } });
    }

    const push = (service: string, invoker: string): PubSubSubscriptionSpec['pushConfig'] => ({
      pushEndpoint: `${serviceUrl(config, service)}/pubsub`,
      oidcToken: {
        serviceAccountEmail: serviceAccountEmail(config, invoker),
        audience: serviceUrl(config, service),
      },
    });
    const subscription = (name: string, spec: Omit<PubSubSubscriptionSpec, 'resourceId'>) =>
      new PubSubSubscription(this, name, {
        metadata: { name },
        spec: { resourceId: name, expirationPolicy: NEVER_EXPIRES, ...spec },
      });

    subscription(SUBSCRIPTIONS.eventsToBq, {
      ...onTopic(TOPICS.events),
      messageRetentionDuration: ONE_DAY,
      pushConfig: push(SERVICES.bqWriter, SERVICE_ACCOUNTS.bqWriterPushInvoker),
      retryPolicy: PUSH_RETRY,
    });
    subscription(SUBSCRIPTIONS.eventsDataflow, {
      ...onTopic(TOPICS.events),
      // Dataflow extends deadlines itself; a longer floor avoids redelivery during bundle commits.
      ackDeadlineSeconds: 120,
    });
    subscription(SUBSCRIPTIONS.eventsAudit, onTopic(TOPICS.events));
    subscription(SUBSCRIPTIONS.stationInfoToBq, {
      ...onTopic(TOPICS.stationInfo),
      pushConfig: push(SERVICES.stationInfoWriter, SERVICE_ACCOUNTS.stationInfoWriterPushInvoker),
      retryPolicy: PUSH_RETRY,
      deadLetterPolicy: {
        deadLetterTopicRef: { name: TOPICS.stationInfoPushDlq },
        maxDeliveryAttempts: props.maxDeliveryAttempts ?? 5,
      },
    });
    subscription(SUBSCRIPTIONS.stationInfoDlqHold, onTopic(TOPICS.stationInfoPushDlq));
    subscription(SUBSCRIPTIONS.stationInfoDlqToBq, {
      ...onTopic(TOPICS.stationInfoPushDlq),
      bigqueryConfig: {
        tableRef: { name: kubernetesName(stationInfoPushDlqTable.tableId) },
        writeMetadata: true,
        useTopicSchema: false,
        dropUnknownFields: false,
      },
    });
  }
}
