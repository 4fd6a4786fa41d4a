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

describe('journal compaction while running', () => {
  it('rewrites itself from the live state once enough was appended, losing nothing', async () => {
    const { mkdtempSync, readFileSync, rmSync, statSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { Journal, replay: replayText } = await import('./journal.js');
    const dir = mkdtempSync(join(tmpdir(), 'journal-'));
    try {
      const { journal } = await Journal.open(dir, { compactAfterBytes: 10_000 });
      const live = replay(lines(topic, sub));
      journal.setSnapshotSource(() => live);
      journal.append(topic as never);
      journal.append(sub as never);
      for (let seq = 1; seq <= 200; seq += 1) {
        const message = {
          seq,
          id: String(seq),
          data: Buffer.alloc(100, 1),
          attributes: {},
          orderingKey: '',
          publishMs: 1,
          size: 100,
        };
        live.messages.set(seq, message);
        live.lastSeq = seq;
        const unacked = live.subscriptions.get(sub.sub.name)!.unacked;
        unacked.add(seq);
        journal.append({ t: 'pub', messages: [message], subs: [sub.sub.name] });
        if (seq > 5) {
          unacked.delete(seq - 5);
          journal.append({ t: 'ack', sub: sub.sub.name, seqs: [seq - 5] });
        }
        await journal.flush();
      }
      await journal.close();
      const path = join(dir, 'pubsub.journal');
      // 200 × ~200 bytes were appended; compaction kept the file near the 5 live messages.
      expect(statSync(path).size).toBeLessThan(12_000);
      const state = replayText(readFileSync(path, 'utf8'));
      expect([...state.subscriptions.get(sub.sub.name)!.unacked].sort((a, b) => a - b)).toEqual([
        196, 197, 198, 199, 200,
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
