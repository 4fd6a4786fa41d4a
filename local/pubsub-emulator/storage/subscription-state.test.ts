import { describe, expect, it } from 'vitest';
import { parseFilter } from '../filter/parse-filter.js';
import { SubscriptionState } from './subscription-state.js';
import type { Consumer, StoredMessage } from './types.js';

const consumer: Consumer = {
  capacity: () => ({ messages: 100, bytes: 1e9 }),
  ackDeadlineSeconds: () => 10,
  deliver: () => {},
};

function message(seq: number): StoredMessage {
  const data = Buffer.from(`m${seq}`);
  return { seq, id: String(seq), data, attributes: {}, orderingKey: '', publishMs: 0, size: 2 };
}

describe('SubscriptionState ack ids', () => {
  const sub = new SubscriptionState(
    { name: 'projects/p/subscriptions/s', topic: 'projects/p/topics/t' },
    parseFilter(''),
    'abcd1234',
  );
  sub.enqueue(message(12));
  const [first] = sub.take(1, 1e9, consumer, 1000, 0);

  it('finds the message and its current lease from an ack id', () => {
    expect(first!.ackId).toBe('abcd1234-12-1');
    const sm = sub.lookup(first!.ackId)!;
    expect(sm.message.seq).toBe(12);
    expect(sub.leasedUnder(first!.ackId)).toBe(sm);
  });

  it('tells an older delivery of the same message from its current lease', () => {
    const sm = sub.lookup(first!.ackId)!;
    sub.endLease(sm);
    // Same attempt, but the lease ended (nack, expiry): no longer what exactly-once accepts.
    expect(sub.leasedUnder(first!.ackId)).toBeUndefined();
    expect(sub.lookup(first!.ackId)).toBe(sm);
    sub.makeReady(sm);
    const [second] = sub.take(1, 1e9, consumer, 1000, 0);
    expect(second!.ackId).toBe('abcd1234-12-2');
    expect(sub.lookup(first!.ackId)).toBe(sm); // a plain ack of an old delivery still acks
    expect(sub.leasedUnder(first!.ackId)).toBeUndefined();
    expect(sub.leasedUnder(second!.ackId)).toBe(sm);
  });

  it('rejects ack ids it did not mint', () => {
    const bad = [
      '',
      'x',
      'abcd1234',
      'abcd1234-',
      'abcd1234-12',
      'abcd1234-12-',
      'abcd1234--2',
      'abcd1234-1a-2',
      'abcd1234-+12-2',
      'abcd1234x12-2',
      'ffff0000-12-2',
      'abcd1234-1234567890123456-2',
      'abcd1234-12-2-3',
    ];
    for (const ackId of bad) {
      expect(sub.lookup(ackId), ackId).toBeUndefined();
      expect(sub.leasedUnder(ackId), ackId).toBeUndefined();
    }
  });
});
