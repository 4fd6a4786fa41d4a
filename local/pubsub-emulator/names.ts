import { errors } from './errors.js';

// Resource ids: start with a letter, 3-255 of [A-Za-z0-9-_.~+%], never "goog…" (pubsub-basics docs).
const ID = /^[A-Za-z][A-Za-z0-9\-_.~+%]{2,254}$/;
const PROJECT = /^[A-Za-z0-9\-_.:]+$/;

export type Kind = 'topics' | 'subscriptions' | 'snapshots';

export interface ResourceName {
  readonly project: string;
  readonly id: string;
}

/** Parses `projects/{project}/{kind}/{id}` or throws INVALID_ARGUMENT naming the field. */
export function parseName(kind: Kind, value: unknown, field = 'name'): ResourceName {
  const text = typeof value === 'string' ? value : '';
  const parts = text.split('/');
  if (
    parts.length !== 4 ||
    parts[0] !== 'projects' ||
    parts[2] !== kind ||
    !PROJECT.test(parts[1] ?? '') ||
    !ID.test(parts[3] ?? '') ||
    (parts[3] ?? '').toLowerCase().startsWith('goog')
  ) {
    throw errors.invalidName(field, text);
  }
  return { project: parts[1]!, id: parts[3]! };
}

/** The request field `value` once `parseName` accepts it, for handlers that need only the name. */
export function checkedName(kind: Kind, value: unknown, field = 'name'): string {
  parseName(kind, value, field);
  return value as string;
}

/** A request's `subscription` field, checked: most Subscriber calls start with it. */
export function subscriptionName(value: unknown): string {
  return checkedName('subscriptions', value, 'subscription');
}

/** `projects/{project}` for the List calls. */
export function parseProject(value: unknown): string {
  const text = typeof value === 'string' ? value : '';
  const match = /^projects\/([^/]+)$/.exec(text);
  if (!match || !PROJECT.test(match[1]!)) throw errors.invalidName('project', text);
  return match[1]!;
}
