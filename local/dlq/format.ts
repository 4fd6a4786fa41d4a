import { formatTable } from '../stack/format-table.js';
import type { DeadLetterList } from './inventory.js';
import { SHOW_PAYLOAD_CHARS } from './names.js';
import type { DeadLetter } from './records.js';

const oneLine = (text: string | null, max: number) => {
  const flat = (text ?? '').replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};

/** `pmp dlq list`: counts by source, origin and reason, then the newest records. */
export function formatDeadLetterList(list: DeadLetterList): string {
  if (list.total === 0) return `no dead letters since ${list.since}`;
  const held = list.held === null ? 'hold subscription not readable' : `${list.held} held`;
  const counts = formatTable(
    ['source', 'origin', 'reason', 'count', 'newest'],
    list.counts.map((c) => [c.source, c.origin, c.reason, String(c.count), c.newest]),
  );
  const records = formatTable(
    ['at', 'id', 'origin', 'reason', 'detail'],
    list.records.map((r) => [
      r.at,
      r.id,
      r.origin,
      r.reason,
      oneLine(
        r.source === 'push'
          ? `${r.deliveryAttempts ?? '?'} attempts${r.held ? ', held' : r.held === false ? ', not held' : ''}`
          : r.errorMessage,
        60,
      ),
    ]),
  );
  const shown =
    list.records.length < list.total ? ` (newest ${list.records.length}; --limit for more)` : '';
  return [
    `${list.total} dead letters since ${list.since} (${held})`,
    '',
    counts,
    '',
    `records${shown}`,
    records,
  ].join('\n');
}

/** A payload for a person: JSON pretty-printed, anything else as is, cut at `max` characters. */
export function prettyPayload(payload: string | null, max = SHOW_PAYLOAD_CHARS): string {
  if (payload === null || payload === '') return '(empty)';
  let pretty = payload;
  try {
    pretty = JSON.stringify(JSON.parse(payload), null, 2);
  } catch {
    // Not JSON (that is often why it is here): shown as received.
  }
  if (pretty.length <= max) return pretty;
  return `${pretty.slice(0, max)}\n… ${pretty.length - max} more characters (--max-chars to see more)`;
}

/** `pmp dlq show`: every field of one dead letter, the payload last. */
export function formatDeadLetter(record: DeadLetter, maxChars = SHOW_PAYLOAD_CHARS): string {
  const fields: [string, string][] = [
    ['id', record.id],
    ['source', record.source],
    ['at', record.at],
    ['origin', record.origin],
    ['reason', record.reason],
  ];
  if (record.errorMessage) fields.push(['error', record.errorMessage]);
  if (record.messageId) fields.push(['message id', record.messageId]);
  if (record.deliveryAttempts !== null) fields.push(['attempts', String(record.deliveryAttempts)]);
  if (record.held !== null) fields.push(['held', record.held ? 'yes' : 'no (replayed or expired)']);
  const skip = new Set([
    'raw',
    'data',
    'attributes',
    'error_message',
    'error_type',
    'stage',
    'message_id',
  ]);
  for (const [name, value] of Object.entries(record.stored)) {
    if (skip.has(name) || value === null || value === undefined || value === '') continue;
    fields.push([name, oneLine(typeof value === 'string' ? value : JSON.stringify(value), 200)]);
  }
  const width = Math.max(...fields.map(([name]) => name.length));
  const lines = fields.map(([name, value]) => `${name.padEnd(width)}  ${value}`);
  if (record.attributes) {
    lines.push('attributes');
    for (const [k, v] of Object.entries(record.attributes)) lines.push(`  ${k}=${v}`);
  }
  lines.push('payload', prettyPayload(record.payload, maxChars));
  return lines.join('\n');
}
