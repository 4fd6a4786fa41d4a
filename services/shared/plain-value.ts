/** A query result value as plain JSON: what the dashboard's API and the data-quality samples show. */
export type PlainValue = string | number | boolean | null;

/**
 * The BigQuery client's value objects (BigQueryTimestamp, BigQueryDate… each with a `value`) as
 * their text, INT64 bigints as numbers, arrays and structs as JSON of their plain values.
 */
export function plainValue(value: unknown): PlainValue {
  if (value === null || value === undefined) return null;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string') {
    return value;
  }
  if (typeof value === 'bigint') return Number(value);
  if (typeof value === 'object' && 'value' in value) return String(value.value);
  if (Array.isArray(value)) return JSON.stringify(value.map(plainValue));
  return JSON.stringify(value);
}
