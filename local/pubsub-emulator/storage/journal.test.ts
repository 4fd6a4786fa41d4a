import { describe, expect, it } from 'vitest';
import { replay } from './journal.js';

const topic = { t: 'topic', topic: { name: 'projects/p/topics/t' } };
const sub = { t: 'sub', sub: { name: 'projects/p/subscriptions/s', topic: 'projects/p/topics/t' } };
const pub = (seq: number) => ({
  t: 'pub',
  messages: [
    {
      seq,
      data: Buffer.from(`m${seq}`).toString('base64'),
      attributes: {},
      orderingKey: '',
      publishMs: 1,
      size: 2,
    },
  ],
  subs: ['projects/p/subscriptions/s'],
});
const lines = (...records: object[]) => records.map((r) => JSON.stringify(r)).join('\n') + '\n';

describe('journal replay', () => {
  it('rebuilds unacked messages per subscription', () => {
    const state = replay(
      lines(topic, sub, pub(1), pub(2), pub(3), { t: 'ack', sub: sub.sub.name, seqs: [2] }),
    );
    expect([...state.subscriptions.get(sub.sub.name)!.unacked]).toEqual([1, 3]);
    expect(state.messages.get(3)!.data.toString()).toBe('m3');
    expect(state.lastSeq).toBe(3);
  });

  it('ignores the torn tail a kill -9 leaves mid-write', () => {
    const text = lines(topic, sub, pub(1)) + JSON.stringify(pub(2)).slice(0, 30);
    const state = replay(text);
    expect([...state.subscriptions.get(sub.sub.name)!.unacked]).toEqual([1]);
  });

  it('drops a deleted subscription and topic', () => {
    const state = replay(
      lines(
        topic,
        sub,
        pub(1),
        { t: 'delsub', name: sub.sub.name },
        { t: 'deltopic', name: topic.topic.name },
      ),
    );
    expect(state.subscriptions.size).toBe(0);
    expect(state.topics.size).toBe(0);
  });
});
