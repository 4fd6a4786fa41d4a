// Test support: a "service" that listens on PORT as ours do, logs `listening`, then dies with an
// error after CRASH_AFTER_MS, every time it is started: a crash loop for the restart tests.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

const server = createServer((_request, response) => response.end('ok'));
server.listen(Number(process.env.PORT ?? 0), '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  console.log(JSON.stringify({ severity: 'INFO', message: 'listening', port }));
  setTimeout(
    () => {
      console.log(
        JSON.stringify({
          severity: 'CRITICAL',
          message: 'fatal',
          err: { message: `boom on ${port}` },
        }),
      );
      process.exit(1);
    },
    Number(process.env.CRASH_AFTER_MS ?? 0),
  );
});
