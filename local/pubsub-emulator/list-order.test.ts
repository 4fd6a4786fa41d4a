import * as grpc from '@grpc/grpc-js';
import { v1 } from '@google-cloud/pubsub';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PROJECT, startHarness, type Harness } from './testing/harness.js';

// Code-unit order of the full names: upper case before lower, `-` before `B` before `_`.
// `localeCompare` would answer ab_x, ab-x, abb, abB, alpha, Zeta instead.
const IDS = ['Zeta', 'ab-x', 'abB', 'ab_x', 'abb', 'alpha'] as const;
const PAGE_SIZE = 2;

let h: Harness;
let publisher: v1.PublisherClient;
let subscriber: v1.SubscriberClient;
const topicOf = (id: string) => `projects/${PROJECT}/topics/${id}`;
/** Every topic, subscription and snapshot hangs off this topic and subscription. */
const HUB = 'alpha';

beforeAll(async () => {
  // A fresh emulator: the project holds exactly IDS, so whole lists can be compared.
  h = await startHarness();
  const [host, port] = h.emulator.host.split(':');
  const options = { servicePath: host, port: Number(port) };
  const sslCreds = grpc.credentials.createInsecure();
  publisher = new v1.PublisherClient({ ...options, sslCreds });
  subscriber = new v1.SubscriberClient({ ...options, sslCreds });
  for (const id of [...IDS].reverse()) await h.pubsub.createTopic(id);
  for (const id of [...IDS].reverse()) await h.pubsub.topic(HUB).createSubscription(id);
  for (const id of [...IDS].reverse()) await h.pubsub.subscription(HUB).createSnapshot(id);
});
afterAll(async () => {
  await publisher.close();
  await subscriber.close();
  await h.close();
});

interface Page {
  items: string[];
  nextPageToken: string;
}

/** Follows nextPageToken from the first page to the last, one call per page. */
async function allPages(list: (pageToken: string) => Promise<Page>): Promise<string[][]> {
  const pages: string[][] = [];
  let pageToken = '';
  do {
    const page = await list(pageToken);
    pages.push(page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return pages;
}

/** Pages of PAGE_SIZE: three of two, holding every name once in code-unit order. */
function expectPagedInOrder(pages: string[][], nameOf: (id: string) => string): void {
  expect(pages).toEqual([
    [nameOf(IDS[0]), nameOf(IDS[1])],
    [nameOf(IDS[2]), nameOf(IDS[3])],
    [nameOf(IDS[4]), nameOf(IDS[5])],
  ]);
}

type Named = string | { name?: string | null };
type Answer = [Named[], unknown, { nextPageToken?: string | null } | null | undefined];

/** A page as a list call made without the client's auto-pagination answers it. */
function asPage([names, , response]: Answer): Page {
  return {
    items: names.map((n) => (typeof n === 'string' ? n : (n.name ?? ''))),
    nextPageToken: response?.nextPageToken ?? '',
  };
}

const paged = { autoPaginate: false };
const project = `projects/${PROJECT}`;
const inProject = (pageToken: string) => ({ project, pageSize: PAGE_SIZE, pageToken });
const hub = (pageToken: string) => ({ topic: topicOf(HUB), pageSize: PAGE_SIZE, pageToken });

/** Each List call, one page per call, and the kind of resource it names. */
const LISTS: Record<string, [kind: string, list: (pageToken: string) => Promise<Answer>]> = {
  ListTopics: ['topics', (t) => publisher.listTopics(inProject(t), paged)],
  ListSubscriptions: ['subscriptions', (t) => subscriber.listSubscriptions(inProject(t), paged)],
  ListTopicSubscriptions: ['subscriptions', (t) => publisher.listTopicSubscriptions(hub(t), paged)],
  ListSnapshots: ['snapshots', (t) => subscriber.listSnapshots(inProject(t), paged)],
  ListTopicSnapshots: ['snapshots', (t) => publisher.listTopicSnapshots(hub(t), paged)],
};

describe('List calls sort by code units of the full name and page through every item once', () => {
  it.each(Object.entries(LISTS))('%s', async (_, [kind, list]) => {
    const pages = await allPages((pageToken) => list(pageToken).then(asPage));
    expectPagedInOrder(pages, (id) => `projects/${PROJECT}/${kind}/${id}`);
  });
});

describe('page tokens', () => {
  // Its own project, so the order cases above still see exactly IDS.
  const other = 'projects/pmp-paging';
  const topic = (id: string) => `${other}/topics/${id}`;

  it('name the last item shown: a list changed between two calls skips and repeats nothing that stayed', async () => {
    for (const id of ['tp1', 'tp2', 'tp3', 'tp4', 'tp5'])
      await publisher.createTopic({ name: topic(id) });
    const first = asPage(await publisher.listTopics({ project: other, pageSize: 2 }, paged));
    expect(first.items).toEqual([topic('tp1'), topic('tp2')]);
    await publisher.deleteTopic({ topic: topic('tp1') });
    await publisher.deleteTopic({ topic: topic('tp2') });
    await publisher.createTopic({ name: topic('tp0') });
    const second = asPage(
      await publisher.listTopics(
        { project: other, pageSize: 2, pageToken: first.nextPageToken },
        paged,
      ),
    );
    // An offset token (2) would now answer t4 and t5, and t3 would never be seen.
    expect(second.items).toEqual([topic('tp3'), topic('tp4')]);
  });

  it('refuses a token it never gave, naming it', async () => {
    await expect(
      publisher.listTopics({ project, pageSize: 2, pageToken: 'abc' }, paged),
    ).rejects.toMatchObject({
      code: grpc.status.INVALID_ARGUMENT,
      details: 'Invalid page token (pageToken=abc).',
    });
  });
});
