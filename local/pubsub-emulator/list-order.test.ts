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
const subscriptionOf = (id: string) => `projects/${PROJECT}/subscriptions/${id}`;
const snapshotOf = (id: string) => `projects/${PROJECT}/snapshots/${id}`;
/** Every topic, subscription and snapshot hangs off this topic and subscription. */
const HUB = 'alpha';

beforeAll(async () => {
  // A fresh emulator: the project holds exactly the names below, so whole lists can be compared.
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

/** A page as a list call made without the client's auto-pagination answers it. */
function pageOf(
  names: Array<string | { name?: string | null }>,
  response: { nextPageToken?: string | null } | null | undefined,
): Page {
  return {
    items: names.map((n) => (typeof n === 'string' ? n : (n.name ?? ''))),
    nextPageToken: response?.nextPageToken ?? '',
  };
}

const paging = (pageToken: string) => ({ pageSize: PAGE_SIZE, pageToken });
const noAutoPaginate = { autoPaginate: false };
const project = `projects/${PROJECT}`;

describe('List calls sort by code units of the full name and page through every item once', () => {
  it('ListTopics', async () => {
    const pages = await allPages((token) =>
      publisher
        .listTopics({ project, ...paging(token) }, noAutoPaginate)
        .then(([topics, , response]) => pageOf(topics, response)),
    );
    expectPagedInOrder(pages, topicOf);
  });

  it('ListSubscriptions and ListTopicSubscriptions', async () => {
    const ofProject = await allPages((token) =>
      subscriber
        .listSubscriptions({ project, ...paging(token) }, noAutoPaginate)
        .then(([subscriptions, , response]) => pageOf(subscriptions, response)),
    );
    expectPagedInOrder(ofProject, subscriptionOf);
    const ofTopic = await allPages((token) =>
      publisher
        .listTopicSubscriptions({ topic: topicOf(HUB), ...paging(token) }, noAutoPaginate)
        .then(([subscriptions, , response]) => pageOf(subscriptions, response)),
    );
    expectPagedInOrder(ofTopic, subscriptionOf);
  });

  it('ListSnapshots and ListTopicSnapshots', async () => {
    const ofProject = await allPages((token) =>
      subscriber
        .listSnapshots({ project, ...paging(token) }, noAutoPaginate)
        .then(([snapshots, , response]) => pageOf(snapshots, response)),
    );
    expectPagedInOrder(ofProject, snapshotOf);
    const ofTopic = await allPages((token) =>
      publisher
        .listTopicSnapshots({ topic: topicOf(HUB), ...paging(token) }, noAutoPaginate)
        .then(([snapshots, , response]) => pageOf(snapshots, response)),
    );
    expectPagedInOrder(ofTopic, snapshotOf);
  });
});
