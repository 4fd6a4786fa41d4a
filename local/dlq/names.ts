import {
  curatedDlqTable,
  stationInfoPushDlqTable,
  writerDlqTable,
} from '../../core/warehouse/index.js';

/** The dead-letter resources of ARCHITECTURE.md's data path, steps 3–5, by their names everywhere. */
export const DLQ_NAMES = {
  sourceTopic: 'pmp-velib-station-info',
  pushSubscription: 'pmp-velib-station-info-to-bq-sub',
  deadLetterTopic: 'pmp-velib-station-info-push-dlq',
  holdSubscription: 'pmp-velib-station-info-push-dlq-hold-sub',
  pushDlqTable: `${stationInfoPushDlqTable.datasetId}.${stationInfoPushDlqTable.tableId}`,
  curatedDlqTable: `${curatedDlqTable.datasetId}.${curatedDlqTable.tableId}`,
  writerDlqTable: `${writerDlqTable.datasetId}.${writerDlqTable.tableId}`,
} as const;

/** How far back `pmp dlq list` looks by default: the hold subscription's 7-day retention. */
export const DEFAULT_SINCE_MS = 7 * 24 * 3600 * 1000;
/** Records `pmp dlq list` prints by default (the counts always cover everything since `--since`). */
export const DEFAULT_LIST_LIMIT = 20;
/** Messages a peek of the hold subscription looks at, at most. */
export const PEEK_LIMIT = 1000;
/** Characters of payload `pmp dlq show` prints before it cuts. */
export const SHOW_PAYLOAD_CHARS = 4000;
