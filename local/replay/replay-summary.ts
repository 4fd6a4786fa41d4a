import type { RecordingReplayResult } from './replay-recording.js';

const LISTED = 10;

/** What a replay did, for a person: published, skipped, and every open-data record not converted. */
export function formatReplaySummary(result: RecordingReplayResult, seconds: number): string[] {
  const byTopic = Object.entries(result.byTopic)
    .map(([topic, n]) => `${topic}: ${n}`)
    .join(', ');
  const lines = [
    `published ${result.published} of ${result.files} snapshots${byTopic ? ` (${byTopic})` : ''} in ${seconds.toFixed(1)} s`,
  ];
  if (result.skipped > 0) {
    lines.push(
      `skipped ${result.skipped} already in the warehouse (same event type and event_ts; --force republishes them)`,
    );
  }
  const openData = result.openData;
  if (!openData) return lines;
  const unmatchedRecords = [...openData.unmatched.values()].reduce((a, b) => a + b, 0);
  lines.push(
    `open data: ${openData.records} records → ${openData.converted} stations, ${unmatchedRecords} unmatched, ${openData.rejected.length} rejected`,
  );
  if (openData.unmatched.size > 0) {
    const codes = [...openData.unmatched.keys()];
    lines.push(
      `  not in the station_information file (${codes.length} ${codes.length === 1 ? 'code' : 'codes'}): ${codes.slice(0, LISTED).join(', ')}${codes.length > LISTED ? ', …' : ''}`,
    );
  }
  for (const r of openData.rejected.slice(0, LISTED)) {
    lines.push(
      `  rejected ${r.file} record ${r.index} (${r.stationCode ?? 'no code'}): ${r.reason}`,
    );
  }
  if (openData.rejected.length > LISTED) {
    lines.push(`  … and ${openData.rejected.length - LISTED} more rejected`);
  }
  for (const file of openData.emptyFiles)
    lines.push(`  nothing converted in ${file}: not published`);
  return lines;
}
