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

  it('sizes multi-byte lengths, whole-second times, empty data and several messages exactly', () => {
    const decode = loadPubSubServices().subscriber.StreamingPull!.responseDeserialize;
    const big: StoredMessage = {
      seq: 7,
      id: '7',
      data: Buffer.alloc(70_000, 'z'),
      attributes: {},
      orderingKey: '',
      publishMs: 1_700_000_000_000,
      size: 70_000,
    };
    const attributesOnly: StoredMessage = {
      seq: 8,
      id: '8',
      data: Buffer.alloc(0),
      attributes: { ['k'.repeat(200)]: 'v'.repeat(1000) },
      orderingKey: 'ordre-é',
      publishMs: 1_700_000_000_001,
      size: 1200,
    };
    const batch: Delivery[] = [
      { ackId: 'u-7-1', message: big, deliveryAttempt: 1 },
      { ackId: 'u-8-200', message: attributesOnly, deliveryAttempt: 200 },
      { ackId: 'u-42-1', message, deliveryAttempt: 1 },
    ];
    const ordered = sub({
      enableMessageOrdering: true,
      enableExactlyOnceDelivery: true,
      deadLetterPolicy: { deadLetterTopic: 'projects/p/topics/d' },
    });
    // Twice: the second encoding reuses the sizes kept on each message.
    for (let round = 0; round < 2; round += 1) {
      const decoded = decode(encodeReceived(ordered, batch, true)) as {
        receivedMessages: Array<{ ackId: string; deliveryAttempt: number; message: object }>;
        subscriptionProperties: object;
      };
      expect(decoded.subscriptionProperties).toEqual({
        exactlyOnceDeliveryEnabled: true,
        messageOrderingEnabled: true,
      });
      expect(decoded.receivedMessages.map((r) => [r.ackId, r.deliveryAttempt])).toEqual([
        ['u-7-1', 1],
        ['u-8-200', 200],
        ['u-42-1', 1],
      ]);
      expect(decoded.receivedMessages[0]!.message).toEqual({
        data: big.data,
        messageId: '7',
        publishTime: { seconds: 1_700_000_000 },
      });
      expect(decoded.receivedMessages[1]!.message).toEqual({
        attributes: attributesOnly.attributes,
        messageId: '8',
        publishTime: { seconds: 1_700_000_000, nanos: 1_000_000 },
        orderingKey: 'ordre-é',
      });
    }
  });
});
