import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { errors } from '../errors.js';
import { subscriptionName } from '../names.js';
import type { Broker } from '../storage/broker.js';
import type { SubscriptionConfig } from '../storage/types.js';
import { acknowledge, modifyAckDeadline, pull } from './pull.js';
import {
  createSnapshot,
  deleteSnapshot,
  getSnapshot,
  listSnapshots,
  seek,
  updateSnapshot,
} from './snapshots.js';
import { streamingPull } from './streaming-pull.js';
import { applySubscriptionUpdate, normalizeSubscription } from './subscription-config.js';
import { projectPage, unaryOver, type ProjectListRequest } from './unary.js';

/** google.pubsub.v1.Subscriber: decode and validate each request, then call the broker. */
export function subscriberHandlers(broker: Broker): UntypedServiceImplementation {
  const rpc = unaryOver(broker);
  return {
    CreateSubscription: rpc('CreateSubscription', createSubscription),
    GetSubscription: rpc('GetSubscription', getSubscription),
    UpdateSubscription: rpc('UpdateSubscription', updateSubscription),
    ListSubscriptions: rpc('ListSubscriptions', listSubscriptions),
    DeleteSubscription: rpc('DeleteSubscription', deleteSubscription),
    ModifyPushConfig: rpc('ModifyPushConfig', modifyPushConfig),
    Acknowledge: rpc('Acknowledge', acknowledge),
    ModifyAckDeadline: rpc('ModifyAckDeadline', modifyAckDeadline),
    Pull: rpc('Pull', pull),
    StreamingPull: streamingPull(broker),
    Seek: rpc('Seek', seek),
    CreateSnapshot: rpc('CreateSnapshot', createSnapshot),
    GetSnapshot: rpc('GetSnapshot', getSnapshot),
    UpdateSnapshot: rpc('UpdateSnapshot', updateSnapshot),
    ListSnapshots: rpc('ListSnapshots', listSnapshots),
    DeleteSnapshot: rpc('DeleteSnapshot', deleteSnapshot),
  };
}

function createSubscription(broker: Broker, req: SubscriptionConfig): SubscriptionConfig {
  return broker.createSubscription(normalizeSubscription(req));
}

function getSubscription(broker: Broker, req: { subscription?: string }): SubscriptionConfig {
  return broker.getSubscription(subscriptionName(req.subscription)).config;
}

function updateSubscription(
  broker: Broker,
  req: { subscription?: SubscriptionConfig; updateMask?: { paths?: string[] } },
): SubscriptionConfig {
  if (!req.subscription) throw errors.invalid('The subscription field is required.');
  const current = broker.getSubscription(subscriptionName(req.subscription.name)).config;
  const next = applySubscriptionUpdate(current, req.subscription, req.updateMask?.paths ?? []);
  return broker.updateSubscription(next);
}

function listSubscriptions(broker: Broker, req: ProjectListRequest) {
  const configs = Array.from(broker.subs.values(), (s) => s.config);
  const { page, nextPageToken } = projectPage(configs, req);
  return { subscriptions: page, nextPageToken };
}

function deleteSubscription(broker: Broker, req: { subscription?: string }): object {
  broker.deleteSubscription(subscriptionName(req.subscription));
  return {};
}

function modifyPushConfig(
  broker: Broker,
  req: { subscription?: string; pushConfig?: SubscriptionConfig['pushConfig'] },
): object {
  const current = broker.getSubscription(subscriptionName(req.subscription)).config;
  broker.updateSubscription(
    normalizeSubscription({ ...current, pushConfig: req.pushConfig ?? {} }),
  );
  return {};
}
