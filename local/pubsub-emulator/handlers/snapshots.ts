// Seek and the snapshot calls of the Subscriber service (snapshots live in memory only).
import { errors } from '../errors.js';
import { checkedName, subscriptionName } from '../names.js';
import type { Broker, SnapshotState } from '../storage/broker.js';
import { msToTimestamp, timestampMs, type Timestamp } from '../storage/types.js';
import { projectPage, type ProjectListRequest } from './unary.js';

interface SnapshotOut {
  name: string;
  topic: string;
  expireTime: { seconds: number; nanos: number };
}

function snapshotOut(snapshot: SnapshotState): SnapshotOut {
  return {
    name: snapshot.name,
    topic: snapshot.topic,
    expireTime: msToTimestamp(snapshot.expireMs),
  };
}

function snapshotNamed(broker: Broker, name: string): SnapshotOut {
  const snapshot = broker.snapshots.get(name);
  if (!snapshot) throw errors.notFound(name);
  return snapshotOut(snapshot);
}

export function seek(
  broker: Broker,
  req: { subscription?: string; time?: Timestamp; snapshot?: string; target?: string },
): object {
  const name = subscriptionName(req.subscription);
  if (req.snapshot) {
    broker.seekToSnapshot(name, checkedName('snapshots', req.snapshot, 'snapshot'));
  } else if (req.time) {
    broker.seekToTime(name, timestampMs(req.time)!);
  } else {
    throw errors.invalid('Seek requires either time or snapshot.');
  }
  return {};
}

export function createSnapshot(
  broker: Broker,
  req: { name?: string; subscription?: string },
): SnapshotOut {
  const name = checkedName('snapshots', req.name);
  broker.createSnapshot(name, subscriptionName(req.subscription));
  return snapshotNamed(broker, name);
}

export function getSnapshot(broker: Broker, req: { snapshot?: string }): SnapshotOut {
  return snapshotNamed(broker, checkedName('snapshots', req.snapshot, 'snapshot'));
}

export function updateSnapshot(broker: Broker, req: { snapshot?: { name?: string } }): SnapshotOut {
  return snapshotNamed(broker, checkedName('snapshots', req.snapshot?.name));
}

export function listSnapshots(
  broker: Broker,
  req: ProjectListRequest,
): { snapshots: SnapshotOut[]; nextPageToken: string } {
  const { page, nextPageToken } = projectPage(broker.snapshots.values(), req);
  return { snapshots: page.map(snapshotOut), nextPageToken };
}

export function deleteSnapshot(broker: Broker, req: { snapshot?: string }): object {
  const name = checkedName('snapshots', req.snapshot, 'snapshot');
  if (!broker.snapshots.delete(name)) throw errors.notFound(name);
  return {};
}
