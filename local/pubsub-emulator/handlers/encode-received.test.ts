import { describe, expect, it } from 'vitest';
import { loadPubSubServices } from '../proto.js';
import { parseFilter } from '../filter/parse-filter.js';
import { SubscriptionState } from '../storage/subscription-state.js';
import type { Delivery, StoredMessage } from '../storage/types.js';
import { encodeReceived } from './encode-received.js';

const message: StoredMessage = {
  seq: 42,
  id: '42',
  data: Buffer.from('héllo'),
  attributes: { a: '1', é: 'ü' },
  orderingKey: 'k',
  publishMs: 1_700_000_000_123,
  size: 10,
};

function sub(extra: object) {
  return new SubscriptionState(
    { name: 'projects/p/subscriptions/s', topic: 'projects/p/topics/t', ...extra },
    parseFilter(''),
    'u',
  );
}

describe('encodeReceived', () => {
  it('decodes with the generic codec to the same StreamingPullResponse', () => {
    const decode = loadPubSubServices().subscriber.StreamingPull!.responseDeserialize;
    const batch: Delivery[] = [{ ackId: 'u-42-3', message, deliveryAttempt: 3 }];
    const withDlq = sub({
      deadLetterPolicy: { deadLetterTopic: 'projects/p/topics/d' },
      enableExactlyOnceDelivery: true,
    });
    expect(decode(encodeReceived(withDlq, batch, true))).toEqual({
      receivedMessages: [
        {
          ackId: 'u-42-3',
          deliveryAttempt: 3,
          message: {
            data: Buffer.from('héllo'),
            attributes: { a: '1', é: 'ü' },
            messageId: '42',
            publishTime: { seconds: 1_700_000_000, nanos: 123_000_000 },
            orderingKey: 'k',
          },
        },
      ],
      subscriptionProperties: { exactlyOnceDeliveryEnabled: true },
    });
    // No dead-letter policy: no deliveryAttempt; Pull responses carry no properties.
    const plain = decode(encodeReceived(sub({}), batch, false)) as {
      receivedMessages: object[];
      subscriptionProperties?: object;
    };
    expect(plain.receivedMessages[0]).not.toHaveProperty('deliveryAttempt');
    expect(plain.subscriptionProperties).toBeUndefined();
  });
});
