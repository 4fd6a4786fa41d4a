import { v1, type PubSub } from '@google-cloud/pubsub';

export interface HeldMessage {
  readonly messageId: string;
  readonly publishTime: string;
  readonly data: string;
  readonly attributes: Record<string, string>;
}

/**
 * Looks at what a pull subscription holds without consuming it: Unary Pull until an empty answer
 * (or `limit`), then ModifyAckDeadline 0 on everything, so each message is back for the replayer
 * at once. It costs each message one delivery attempt on that subscription, nothing else.
 */
export async function peekSubscription(
  pubsub: PubSub,
  subscriptionId: string,
  options: { limit: number; pullTimeoutMs?: number },
): Promise<HeldMessage[]> {
  const subscription = pubsub.subscription(subscriptionId).name;
  // The client config carries the emulator endpoint when PUBSUB_EMULATOR_HOST was set for pubsub.
  const config = (await pubsub.getClientConfig()) as ConstructorParameters<
    typeof v1.SubscriberClient
  >[0];
  const subscriber = new v1.SubscriberClient(config);
  const seen: HeldMessage[] = [];
  const ackIds: string[] = [];
  try {
    while (seen.length < options.limit) {
      let received;
      try {
        [{ receivedMessages: received }] = await subscriber.pull(
          { subscription, maxMessages: Math.min(100, options.limit - seen.length) },
          { timeout: options.pullTimeoutMs ?? 10_000 },
        );
      } catch (error) {
        if ((error as { code?: number }).code === 4) break; // DEADLINE_EXCEEDED: nothing more
        throw error;
      }
      if (!received || received.length === 0) break;
      for (const { ackId, message } of received) {
        if (ackId) ackIds.push(ackId);
        const seconds = Number(message?.publishTime?.seconds ?? 0);
        const nanos = message?.publishTime?.nanos ?? 0;
        seen.push({
          messageId: message?.messageId ?? '',
          publishTime: new Date(seconds * 1000 + nanos / 1e6).toISOString(),
          data: Buffer.from(message?.data ?? new Uint8Array()).toString('utf8'),
          attributes: { ...(message?.attributes ?? {}) } as Record<string, string>,
        });
      }
    }
  } finally {
    if (ackIds.length > 0) {
      await subscriber.modifyAckDeadline({ subscription, ackIds, ackDeadlineSeconds: 0 });
    }
    await subscriber.close();
  }
  return seen;
}
