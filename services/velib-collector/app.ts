import type { Topic } from '@google-cloud/pubsub';
import Router from '@koa/router';
import type Koa from 'koa';
import { createBaseApp } from '../shared/app-base.js';
import type { Lifecycle } from '../shared/health.js';
import type { Logger } from '../../runtime/logger.js';
import { pushAuth, type PushAuthOptions } from '../shared/push-auth.js';
import type { RequestState } from '../shared/request-context.js';
import { CollectError, collectOnce, type CollectSettings } from './collect.js';

export interface CollectorDeps {
  /** The topic to publish to (`pmp-events` or `pmp-velib-station-info`). */
  readonly topic: Topic;
  readonly settings: CollectSettings;
  /** OIDC check on `/collect` (the scheduler's token); no audience means none. */
  readonly auth?: PushAuthOptions;
  readonly log: Logger;
  readonly lifecycle?: Lifecycle;
  readonly now?: () => Date;
}

/**
 * `GET|POST /collect`: Cloud Scheduler POSTs (with an OIDC token Cloud Run checks, or this app
 * when `auth` names an audience), people GET.
 * 200 with {messageId, stations, feedAgeSeconds, warnings}; 502 when the feed is broken (nothing
 * published); 503 when publishing failed.
 */
export function createApp(deps: CollectorDeps): Koa {
  const app = createBaseApp(deps.log, deps.lifecycle ?? { draining: false });
  const now = deps.now ?? (() => new Date());
  const router = new Router();
  const collect = async (ctx: Koa.Context) => {
    const log = (ctx.state as RequestState).log;
    try {
      const result = await collectOnce(deps.topic, deps.settings, now, log);
      const line = { ...result, topic: deps.topic.name };
      if (result.warnings.length > 0) log.warn(line, 'collected with warnings');
      else log.info(line, 'collected');
      ctx.body = result;
    } catch (error) {
      if (!(error instanceof CollectError)) throw error;
      log.error(
        { reason: error.reason, warnings: error.warnings, feedUrl: deps.settings.feedUrl },
        error.status === 502 ? 'feed rejected; nothing published' : 'publish failed',
      );
      ctx.status = error.status;
      ctx.body = {
        error: error.status === 502 ? 'feed rejected' : 'publish failed',
        reason: error.reason,
        warnings: error.warnings,
      };
    }
  };
  const auth = pushAuth(deps.auth ?? {});
  router.get('/collect', auth, collect);
  router.post('/collect', auth, collect);
  app.use(router.routes()).use(router.allowedMethods());
  return app;
}
