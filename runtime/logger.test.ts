import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.js';

describe('createLogger', () => {
  it('writes Cloud Logging severity and message fields', () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const log = createLogger({ name: 'test', level: 'info', destination });
    log.warn({ station: 1 }, 'feed is stale');
    const entry = JSON.parse(lines[0] ?? '{}');
    expect(entry).toMatchObject({
      severity: 'WARNING',
      message: 'feed is stale',
      logger: 'test',
      station: 1,
    });
  });
});
