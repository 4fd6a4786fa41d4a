import { describe, expect, it } from 'vitest';
import { loadReplayerEnv, replaySettings } from './config.js';
import {
  MAX_ACK_DEADLINE_SECONDS,
  ackDeadlineFor,
  alreadyReplayed,
  exitCodeOf,
  largestBatchThatFits,
  replayAttributes,
  type ReplaySummary,
} from './replay.js';

describe('replayAttributes', () => {
  it('strips dead-letter bookkeeping and the drill switch, and marks the replay', () => {
    expect(
      replayAttributes(
        {
          source: 'velib',
          dlq_test: 'true',
          CloudPubSubDeadLetterSourceDeliveryCount: '5',
          CloudPubSubDeadLetterSourceSubscription: 'pmp-velib-station-info-to-bq-sub',
        },
        'run-9',
        'hold',
      ),
    ).toEqual({ source: 'velib', replay: 'true', replay_id: 'run-9', replay_source: 'hold' });
  });
});

describe('alreadyReplayed', () => {
  it.each([
    [{ replay: 'true' }, true],
    [{ replay: ' TRUE ' }, true],
    [{ replay: 'false' }, false],
    [{}, false],
  ])('%j → %s', (attributes, expected) => {
    expect(alreadyReplayed(attributes)).toBe(expected);
  });
});

describe('ack deadlines', () => {
  it('covers the wait of the last message of the batch, plus a margin, within 10–600 s', () => {
    expect(ackDeadlineFor(50, 5)).toBe(Math.ceil(49 / 5 + 60));
    expect(ackDeadlineFor(1, 0)).toBe(60);
    expect(ackDeadlineFor(10_000, 1)).toBe(MAX_ACK_DEADLINE_SECONDS);
  });

  it('shrinks batches that could not be covered', () => {
    expect(largestBatchThatFits(0.1)).toBe(55);
    expect(ackDeadlineFor(largestBatchThatFits(0.1), 0.1)).toBeLessThanOrEqual(600);
    expect(largestBatchThatFits(0)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('exitCodeOf', () => {
  const base: ReplaySummary = {
    runId: 'r',
    subscription: 's',
    targetTopic: 't',
    dryRun: false,
    replayEnabled: true,
    pulled: 3,
    republished: 3,
    acked: 3,
    skipped: 0,
    passedOver: 0,
    failed: 0,
    errors: [],
  };
  it('is 0 only when nothing failed', () => {
    expect(exitCodeOf(base)).toBe(0);
    expect(exitCodeOf({ ...base, failed: 1 })).toBe(1);
    expect(exitCodeOf({ ...base, errors: ['pull failed'] })).toBe(1);
  });
});

describe('replayer environment', () => {
  it('has the contract defaults', () => {
    expect(replaySettings(loadReplayerEnv({}))).toEqual({
      subscription: 'pmp-velib-station-info-push-dlq-hold-sub',
      targetTopic: 'pmp-velib-station-info',
      qps: 5,
      maxMessages: 1000,
      batchSize: 50,
      dryRun: false,
      replayEnabled: true,
      ackSkipped: false,
    });
  });

  it('reads flags and numbers, and names a bad variable', () => {
    const env = loadReplayerEnv({
      DRY_RUN: 'TRUE',
      QPS: '0.5',
      MAX_MESSAGES: '10',
      ACK_SKIPPED: '1',
    });
    expect(env).toMatchObject({ DRY_RUN: true, QPS: 0.5, MAX_MESSAGES: 10, ACK_SKIPPED: true });
    expect(() => loadReplayerEnv({ BATCH_SIZE: '0' })).toThrow(/BATCH_SIZE is invalid/);
    expect(() => loadReplayerEnv({ DRY_RUN: 'maybe' })).toThrow(/DRY_RUN is invalid/);
  });
});
