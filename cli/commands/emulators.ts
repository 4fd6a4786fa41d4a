import type { Command } from 'commander';

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port: ${value}`);
  return n;
};

/** `pmp emulators`: the Pub/Sub and BigQuery emulators together, until Ctrl-C. */
export function registerEmulators(program: Command): void {
  program
    .command('emulators')
    .description('run the Pub/Sub and BigQuery emulators and print the environment to use them')
    .option('--pubsub-port <port>', 'Pub/Sub gRPC port', port, 8085)
    .option('--pubsub-admin-port <port>', 'Pub/Sub status page, JWKS and token port', port, 8086)
    .option('--bigquery-port <port>', 'BigQuery REST port', port, 9050)
    .option(
      '--host <address>',
      'address every emulator port binds to (0.0.0.0 to serve other containers or pods)',
      '127.0.0.1',
    )
    .option('--data-dir <dir>', 'keep emulator state here across restarts (default: memory only)')
    .option('--no-pubsub', 'do not start the Pub/Sub emulator')
    .option('--no-bigquery', 'do not start the BigQuery emulator')
    .action(
      async (opts: {
        pubsubPort: number;
        pubsubAdminPort: number;
        bigqueryPort: number;
        host: string;
        dataDir?: string;
        pubsub: boolean;
        bigquery: boolean;
      }) => {
        const { nextStopSignal } = await import('../../runtime/stop-signal.js');
        // Listening before the exports are printed: whoever reads them may stop us at once.
        const stopped = nextStopSignal();
        const { startEmulators } = await import('../../local/emulators.js');
        const { createLogger } = await import('../../runtime/logger.js');
        const running = await startEmulators({
          pubsub: opts.pubsub,
          bigquery: opts.bigquery,
          pubsubPort: opts.pubsubPort,
          pubsubAdminPort: opts.pubsubAdminPort,
          bigqueryPort: opts.bigqueryPort,
          host: opts.host,
          dataDir: opts.dataDir,
          // Logs on stderr keep stdout to the export lines.
          log: createLogger({ name: 'emulators', destination: process.stderr }),
        });
        const lines = Object.entries(running.env).map(([k, v]) => `export ${k}=${v}`);
        if (running.pubsubAdminUrl) lines.push(`# Pub/Sub status page: ${running.pubsubAdminUrl}/`);
        process.stdout.write(`${lines.join('\n')}\n`);
        await stopped;
        await running.close();
      },
    );
}
