import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PubSub, type Message } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnvelope } from '../../core/index.js';
import { silentLogger } from '../../runtime/logger.js';
import { startPubSubEmulator, type PubSubEmulator } from '../pubsub-emulator/index.js';
import {
  listRecording,
  readRecordedFile,
  replayEnvelope,
  replaySnapshots,
  timeFromFileName,
} from './replay.js';

const velib = path.resolve(import.meta.dirname, '../../../shared/data/velib');

describe('replaySnapshots through the Pub/Sub emulator', () => {
  let emulator: PubSubEmulator;
  let pubsub: PubSub;
  let dir: string;

  beforeAll(async () => {
    emulator = await startPubSubEmulator({ port: 0, adminPort: 0, log: silentLogger() });
    pubsub = new PubSub({ projectId: 'pmp-local', apiEndpoint: emulator.host, emulatorMode: true });
    const [topic] = await pubsub.createTopic('pmp-events');
    await topic.createSubscription('replay-check');
    await pubsub.createTopic('pmp-velib-station-info');
    dir = mkdtempSync(path.join(tmpdir(), 'pmp-replay-'));
    copyFileSync(
      path.join(velib, 'station_status.json'),
      path.join(dir, 'station_status_2025-10-18T09-10-00Z.json'),
    );
  });

  afterAll(async () => {
    await pubsub?.close();
    await emulator?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('publishes a recorded file verbatim as the payload, with the recorded time', async () => {
    const [file] = listRecording(dir);
    const recorded = readRecordedFile(file!);
    expect(recorded.text).toBeDefined();
    // The same document once more without its text: serialized by the replay itself.
    const { text: _text, ...parsedOnly } = recorded;
    const result = await replaySnapshots({ pubsub, snapshots: [recorded, parsedOnly], total: 2 });
    expect(result.published).toBe(2);

    const received: Message[] = [];
    const subscription = pubsub.subscription('replay-check');
    await new Promise<void>((resolve) => {
      subscription.on('message', (message: Message) => {
        message.ack();
        received.push(message);
        if (received.length === 2) resolve();
      });
    });
    await subscription.close();
    const envelopes = received.map((m) => parseEnvelope(m.data.toString('utf8')));
    for (const envelope of envelopes) {
      expect(envelope).toMatchObject({
        ingest_ts: '2025-10-18T09:10:00Z',
        event_type: 'station_status_snapshot',
        source: 'velib',
      });
      expect(envelope.payload).toEqual(recorded.document);
    }
    const verbatim = received.find((m) =>
      m.data.toString('utf8').endsWith(`${recorded.text!.trim()}}`),
    );
    expect(verbatim).toBeDefined();
    expect(received.map((m) => m.attributes.replay)).toEqual(['true', 'true']);
  });
});

describe('the time of a recorded snapshot', () => {
  const status = () => readRecordedFile(path.join(velib, 'station_status.json'));

  it('comes from the document when the name has none, else from the name in either spelling', () => {
    expect(replayEnvelope(status())).toMatchObject({
      ingest_ts: '2025-10-18T09:09:16Z',
      event_ts: '2025-10-18T09:09:16Z',
    });
    expect(timeFromFileName('station_status_2025-10-18T09:10:00Z.json')?.toISOString()).toBe(
      '2025-10-18T09:10:00.000Z',
    );
  });

  it('is never "now": a snapshot with no time in its name or document is refused', () => {
    const { lastUpdatedOther: _time, ...untimed } = status().document as Record<string, unknown>;
    expect(() =>
      replayEnvelope({ ...status(), label: 'station_status_saved.json', document: untimed }),
    ).toThrow(/station_status_saved\.json: no time in the file name .* nor in the document/);
  });
});
