/**
 * The `pmp dlq drill` mark. A message whose attribute `pmp_drill` holds a UUID is refused (500) on
 * its first trip, so the push subscription dead-letters it after its 5 attempts; once the replayer
 * has sent it back (`replay=true`) it is processed like any other message. It is always on, unlike
 * the original's `DLQ_TEST_ENABLED` switch, so a drill works against a deployment as it runs: it
 * goes through push auth like everything else, and costs one dead letter per drill.
 */
export const DRILL_ATTRIBUTE = 'pmp_drill';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The drill id when these attributes mark a drill message that has not been replayed yet. */
export function drillToRefuse(attributes: Readonly<Record<string, string>>): string | undefined {
  const id = attributes[DRILL_ATTRIBUTE] ?? '';
  const replayed = (attributes.replay ?? '').trim().toLowerCase() === 'true';
  return UUID.test(id) && !replayed ? id : undefined;
}
