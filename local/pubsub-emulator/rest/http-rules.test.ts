import { describe, expect, it } from 'vitest';
import { loadPubSubRoot } from '../proto.js';
import { compileTemplate, matchRoute, restRoutes } from './http-rules.js';

const routes = restRoutes(loadPubSubRoot());
const rpcAt = (verb: string, path: string) => {
  const match = matchRoute(routes, verb, path);
  return match && 'route' in match ? { rpc: match.route.rpc, values: match.pathValues } : match;
};

describe('REST routes from the google.api.http rules', () => {
  it('cover every unary method Java’s PubsubJsonClient calls, and no streaming one', () => {
    const rpcs = routes.map((r) => `${r.verb} ${r.rpc}`);
    for (const expected of [
      'PUT CreateTopic',
      'GET GetTopic',
      'DELETE DeleteTopic',
      'GET ListTopics',
      'GET ListTopicSubscriptions',
      'POST Publish',
      'PUT CreateSubscription',
      'GET GetSubscription',
      'DELETE DeleteSubscription',
      'GET ListSubscriptions',
      'POST Pull',
      'POST Acknowledge',
      'POST ModifyAckDeadline',
    ]) {
      expect(rpcs).toContain(expected);
    }
    expect(routes.some((r) => r.rpc === 'StreamingPull')).toBe(false);
  });

  it('fill the request fields the template names, decoded', () => {
    expect(rpcAt('POST', '/v1/projects/p/topics/t-1:publish')).toEqual({
      rpc: 'Publish',
      values: ['projects/p/topics/t-1'],
    });
    expect(rpcAt('GET', '/v1/projects/p/topics/t-1/subscriptions')).toEqual({
      rpc: 'ListTopicSubscriptions',
      values: ['projects/p/topics/t-1'],
    });
    expect(rpcAt('GET', '/v1/projects/example.com:p/subscriptions')).toEqual({
      rpc: 'ListSubscriptions',
      values: ['projects/example.com:p'],
    });
    expect(rpcAt('GET', '/v1/projects/p/subscriptions/s%2Bx')).toEqual({
      rpc: 'GetSubscription',
      values: ['projects/p/subscriptions/s+x'],
    });
    const update = routes.find((r) => r.rpc === 'UpdateSubscription')!;
    expect(update.pathFields).toEqual(['subscription.name']);
  });

  it('keep a custom verb out of a plain GET, and name the verbs a known path allows', () => {
    expect(rpcAt('GET', '/v1/projects/p/topics/t-1:publish')).toEqual({ allowed: ['POST'] });
    expect(rpcAt('GET', '/v1/projects/p/nothing')).toBeUndefined();
  });

  it('compile `**` across segments', () => {
    const { pattern, fields } = compileTemplate('/v1/{name=projects/**}:x');
    expect(fields).toEqual(['name']);
    expect(pattern.exec('/v1/projects/a/b/c:x')?.[1]).toBe('projects/a/b/c');
  });
});
