import type Koa from 'koa';
import {
  STATION_INFORMATION_EVENT_TYPE,
  curatedInsertId,
  informationSnapshotToRows,
  parseEnvelope,
  type StationInformationRow,
} from '../../core/index.js';
import { PermanentMessageError, type PushMessage } from '../shared/push-message.js';
import { ForcedFailureError, type WritePlan } from '../shared/push-writer.js';
import type { TableRef } from '../shared/warehouse-insert.js';
import { createWriterApp, type PushWriterDeps } from '../shared/writer-app.js';
import { drillToRefuse } from './drill.js';

export const WRITER_NAME = 'pmp-velib-station-info-writer';

export interface StationInfoWriterDeps extends PushWriterDeps {
  /** `pmp_curated.velib_station_information` in every deployment. */
  readonly table: TableRef;
  /**
   * The dead-letter drill of the original: when on, a message with attribute `dlq_test=true` is
   * refused with 500 on every delivery, so Pub/Sub dead-letters it after the policy's attempts.
   * @default false
   */
  readonly dlqTestEnabled?: boolean;
}

/**
 * A station_information envelope → one row per station (insertId `${messageId}:${stationId}`).
 * An envelope of another event type on this topic is a wrong-shape message, not an empty one.
 */
export function stationInformationPlan(
  text: string,
  message: PushMessage,
): WritePlan<StationInformationRow> {
  const envelope = parseEnvelope(text);
  if (envelope.event_type !== STATION_INFORMATION_EVENT_TYPE) {
    throw new PermanentMessageError(
      'unexpected_event_type',
      `expected event_type ${STATION_INFORMATION_EVENT_TYPE}, got ${JSON.stringify(envelope.event_type)}`,
    );
  }
  const rows = informationSnapshotToRows(envelope).map((row) => ({
    insertId: curatedInsertId(message.messageId, row.station_id),
    row,
  }));
  return { rows };
}

/**
 * Deliveries refused on purpose: a `pmp dlq drill` message on its first trip (always), and with
 * the original's switch on, any message with `dlq_test=true`.
 */
export function dlqDrill(dlqTestEnabled: boolean): (message: PushMessage) => void {
  return (message) => {
    const drill = drillToRefuse(message.attributes);
    if (drill) {
      throw new ForcedFailureError(`pmp dlq drill ${drill}: refused on purpose until replayed`);
    }
    if (dlqTestEnabled && message.attributes.dlq_test?.toLowerCase() === 'true') {
      throw new ForcedFailureError('dlq_test drill: failing this delivery on purpose');
    }
  };
}

export function createApp(deps: StationInfoWriterDeps): Koa {
  return createWriterApp(deps, {
    writer: WRITER_NAME,
    toRows: stationInformationPlan,
    inspect: dlqDrill(deps.dlqTestEnabled ?? false),
  });
}
