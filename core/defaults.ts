/**
 * Every limit and fixed name of the domain core, in one place, so services, the Beam job and tests
 * agree on them.
 */

/** DLQ `raw` (and `row_json`, `bq_errors`) are cut to this many characters (UTF-16 code units). */
export const RAW_MAX_CHARS = 200_000;

/** `error_message` is cut to this many characters: parser messages can quote the input. */
export const ERROR_MESSAGE_MAX_CHARS = 4_000;

/** How much of an offending value an error message quotes. */
export const ERROR_VALUE_PREVIEW_CHARS = 80;

/** The event types the collectors publish. */
export const EVENT_TYPES = ['station_status_snapshot', 'station_information_snapshot'] as const;

/** Bike-type names the original pipeline counts as e-bikes (GBFS `bike_type` / `vehicle_type_id`). */
export const EBIKE_TYPE_NAMES: readonly string[] = ['ebike', 'electric', 'e-bike'];

/** Bike-type name counted as mechanical. */
export const MECHANICAL_TYPE_NAME = 'mechanical';

/** BigQuery TIMESTAMP range, in epoch seconds: 0001-01-01T00:00:00Z … 9999-12-31T23:59:59Z. */
export const MIN_TIMESTAMP_SECONDS = -62_135_596_800;
export const MAX_TIMESTAMP_SECONDS = 253_402_300_799;

/** BigQuery INT64 range. */
export const INT64_MIN = -(2n ** 63n);
export const INT64_MAX = 2n ** 63n - 1n;

/**
 * `ttl` of a station_status snapshot rebuilt from the City of Paris open data: the export carries
 * none, so it gets the one the operator's own station_status.json sends.
 */
export const OPEN_DATA_SNAPSHOT_TTL_SECONDS = 3600;
