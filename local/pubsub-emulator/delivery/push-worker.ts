import type { Logger } from 'pino';
import { LIMITS } from '../limits.js';
import type { Broker, Worker } from '../storage/broker.js';
import type { SubscriptionState } from '../storage/subscription-state.js';
import type { Delivery, StoredMessage } from '../storage/types.js';
import { createHttpPoster } from './http-post.js';
import type { OidcSigner } from './oidc-signer.js';

/** The JSON body the real service POSTs to a push endpoint (wrapped delivery). */
export function pushBody(sub: SubscriptionState, d: Delivery): Record<string, unknown> {
  const m = d.message;
  const publishTime = new Date(m.publishMs).toISOString();
  const message: Record<string, unknown> = {
    data: m.data.toString('base64'),
    attributes: m.attributes,
    messageId: m.id,
    message_id: m.id,
    publishTime,
    publish_time: publishTime,
  };
  if (m.orderingKey) message.orderingKey = m.orderingKey;
  const body: Record<string, unknown> = { message, subscription: sub.config.name };
  if (sub.config.deadLetterPolicy?.deadLetterTopic) body.deliveryAttempt = d.deliveryAttempt;
  return body;
}

/** Unwrapped delivery: raw data as the body, attributes (and optionally metadata) as headers. */
function unwrapped(
  sub: SubscriptionState,
  m: StoredMessage,
  writeMetadata: boolean,
): { body: Buffer; headers: Record<string, string> } {
  const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
  for (const [k, v] of Object.entries(m.attributes))
    headers[`x-goog-pubsub-${k.toLowerCase()}`] = v;
  if (writeMetadata) {
    headers['x-goog-pubsub-subscription-name'] = sub.config.name;
    headers['x-goog-pubsub-message-id'] = m.id;
    headers['x-goog-pubsub-publish-time'] = new Date(m.publishMs).toISOString();
  }
  return { body: m.data, headers };
}

export interface PushWorkerDeps {
  readonly signer: OidcSigner;
  readonly log: Logger;
  /** @default LIMITS.pushConcurrency */
  readonly concurrency?: number;
}

/**
 * Delivers a push subscription: at most `concurrency` POSTs in flight, each bounded by the ack
 * deadline. 2xx acks; anything else (status, timeout, refused connection) nacks, and the broker backs
 * off and dead-letters exactly as for pull.
 */
export function startPushWorker(
  broker: Broker,
  sub: SubscriptionState,
  deps: PushWorkerDeps,
): Worker {
  const limit = deps.concurrency ?? LIMITS.pushConcurrency;
  const tokens = new Map<string, { token: string; expires: number }>();
  const poster = createHttpPoster();
  let inFlight = 0;
  let closed = false;
  const name = sub.config.name;

  const tokenFor = async (audience: string, email: string): Promise<string> => {
    const key = `${audience}\n${email}`;
    const cached = tokens.get(key);
    if (cached && cached.expires > Date.now()) return cached.token;
    const token = await deps.signer.mint({ audience, email });
    tokens.set(key, { token, expires: Date.now() + 50 * 60 * 1000 });
    return token;
  };

  const post = async (d: Delivery): Promise<boolean> => {
    const push = sub.config.pushConfig ?? {};
    const endpoint = push.pushEndpoint!;
    let body: Buffer;
    let headers: Record<string, string>;
    if (push.noWrapper) {
      ({ body, headers } = unwrapped(sub, d.message, push.noWrapper.writeMetadata === true));
    } else {
      body = Buffer.from(JSON.stringify(pushBody(sub, d)));
      headers = { 'content-type': 'application/json' };
    }
    if (push.oidcToken) {
      const project = name.split('/')[1] ?? 'local';
      const email =
        push.oidcToken.serviceAccountEmail || `pubsub-emulator@${project}.iam.gserviceaccount.com`;
      headers.authorization = `Bearer ${await tokenFor(push.oidcToken.audience || endpoint, email)}`;
    }
    const timeoutMs = broker.ackDeadlineMs(
      sub.config.ackDeadlineSeconds ?? LIMITS.defaultAckDeadlineSeconds,
    );
    try {
      const status = await poster.post(endpoint, body, headers, timeoutMs);
      if (status >= 200 && status < 300) return true;
      deps.log.debug({ subscription: name, status, messageId: d.message.id }, 'push rejected');
      return false;
    } catch (error) {
      deps.log.debug({ subscription: name, err: error, messageId: d.message.id }, 'push failed');
      return false;
    }
  };

  return {
    capacity: () =>
      closed
        ? { messages: 0, bytes: 0 }
        : { messages: limit - inFlight, bytes: Number.MAX_SAFE_INTEGER },
    ackDeadlineSeconds: () => sub.config.ackDeadlineSeconds ?? LIMITS.defaultAckDeadlineSeconds,
    deliver: (batch) => {
      for (const d of batch) {
        inFlight += 1;
        // post() may reject (e.g. token minting); that is a failed attempt, never a crash.
        void post(d)
          .catch(() => false)
          .then((ok) => {
            inFlight -= 1;
            if (!broker.subs.has(name)) return;
            if (ok) broker.acknowledge(name, [d.ackId]);
            else broker.modifyAckDeadline(name, [d.ackId], 0);
            broker.scheduleDispatch(broker.subs.get(name)!);
          });
      }
    },
    close: () => {
      closed = true;
      poster.close();
    },
  };
}
