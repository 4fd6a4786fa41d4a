import type { Broker } from '../storage/broker.js';

export interface SubscriptionStatus {
  name: string;
  topic: string;
  kind: 'pull' | 'push' | 'bigquery';
  backlog: number;
  outstanding: number;
  /** Streams, pulls waiting for messages and push workers attached now. */
  consumers: number;
  oldestUnackedAgeSeconds: number | null;
  deadLettered: number;
}

export interface EmulatorStatus {
  topics: Array<{ name: string; subscriptions: number }>;
  subscriptions: SubscriptionStatus[];
}

/** What the admin page shows: a read-only view computed from the broker. */
export function collectStatus(broker: Broker, now = Date.now()): EmulatorStatus {
  const topics = [...broker.topics.values()]
    .map((t) => ({ name: t.config.name, subscriptions: t.subs.size }))
    .sort((a, b) => a.name.localeCompare(b.name));
  const subscriptions = [...broker.subs.values()]
    .map((s): SubscriptionStatus => {
      const oldest = s.oldestUnackedMs();
      return {
        name: s.config.name,
        topic: s.config.topic,
        kind: s.config.pushConfig?.pushEndpoint
          ? 'push'
          : s.config.bigqueryConfig?.table
            ? 'bigquery'
            : 'pull',
        backlog: s.backlog(),
        outstanding: s.outstanding.size,
        consumers: s.consumers.size,
        oldestUnackedAgeSeconds: oldest === undefined ? null : Math.max(0, (now - oldest) / 1000),
        deadLettered: s.deadLettered,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
  return { topics, subscriptions };
}

const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

export function renderStatusHtml(status: EmulatorStatus): string {
  const topicRows = status.topics
    .map((t) => `<tr><td>${escape(t.name)}</td><td>${t.subscriptions}</td></tr>`)
    .join('');
  const subRows = status.subscriptions
    .map(
      (s) =>
        `<tr><td>${escape(s.name)}</td><td>${escape(s.topic)}</td><td>${s.kind}</td><td>${s.backlog}</td><td>${s.outstanding}</td><td>${s.consumers}</td><td>${
          s.oldestUnackedAgeSeconds === null ? '—' : s.oldestUnackedAgeSeconds.toFixed(1) + ' s'
        }</td><td>${s.deadLettered}</td></tr>`,
    )
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pub/Sub emulator</title>
<meta http-equiv="refresh" content="5">
<style>body{font-family:system-ui,sans-serif;margin:2em}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3em .6em;text-align:left}</style>
</head><body>
<h1>Pub/Sub emulator</h1>
<h2>Topics (${status.topics.length})</h2>
<table><tr><th>topic</th><th>subscriptions</th></tr>${topicRows}</table>
<h2>Subscriptions (${status.subscriptions.length})</h2>
<table><tr><th>subscription</th><th>topic</th><th>kind</th><th>backlog</th><th>outstanding</th><th>consumers</th><th>oldest unacked</th><th>dead-lettered</th></tr>${subRows}</table>
<p><a href="/status.json">status.json</a> · <a href="/jwks">JWKS</a></p>
</body></html>
`;
}
