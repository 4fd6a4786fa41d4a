import { beforeAll, describe, expect, it } from 'vitest';
import { javaServiceJar } from './java-services.js';
import {
  allStatusFixturesInput,
  curateOnDirectAnd,
  figuresOf,
  mixedInputWithBlankLines,
} from './file-mode-runner-fixtures.js';

// Real runs on Beam's Flink job server with an embedded Flink (no mocks). A job pays a JVM and a
// Flink mini-cluster start (12–40 s here), so two jobs cover every fixture: all real snapshots in
// one input, and every kind of bad message in another.
describe('file mode on --runner flink (embedded Flink)', () => {
  beforeAll(async () => {
    await javaServiceJar('flinkJobServer'); // first use in a clean clone: Maven, from ~/.m2
  }, 600_000);

  const inputs = {
    'every real snapshot': allStatusFixturesInput,
    'mixedInputLines() with blank lines': mixedInputWithBlankLines,
  };
  for (const [name, input] of Object.entries(inputs)) {
    it(`writes the bytes of --runner direct and counts its figures in the files: ${name}`, async () => {
      const { direct, other: flink } = await curateOnDirectAnd('flink', input());
      expect(flink.rows.equals(direct.rows)).toBe(true);
      expect(flink.dlq.equals(direct.dlq)).toBe(true);

      // Flink's job server drops the TypeScript SDK's user counters (docs/dataflow.md): every
      // figure the files hold equals direct's counter; curated vs ignored is not in the files.
      const d = direct.summary;
      expect(flink.summary.figuresFrom).toBe('files');
      expect(figuresOf(flink.summary)).toEqual({
        ...figuresOf(d),
        snapshotsCurated: null,
        snapshotsIgnored: null,
        figuresFrom: 'files',
      });
      expect(d.messages - d.dlqParseNormalize - d.dlqSnapshotToStationRows).toBe(
        d.snapshotsCurated! + d.snapshotsIgnored!,
      );
    }, 300_000);
  }
});
