import http from 'node:http';
import https from 'node:https';

/**
 * POSTs to push endpoints with node:http on keep-alive connections. `fetch` cost ~5 ms more CPU per
 * 0.7 MB push body than this (its web streams copy the body twice and run per-chunk promise
 * machinery; docs/PERFORMANCE.md, #8), and a push subscription sends one such body per snapshot.
 */
export interface HttpPoster {
  /** The response status, or throws on a network error or when `timeoutMs` passes first. */
  post(
    endpoint: string,
    body: Buffer,
    headers: Record<string, string>,
    timeoutMs: number,
  ): Promise<number>;
  /** Closes its connections once the requests in flight have finished. */
  close(): void;
}

export function createHttpPoster(): HttpPoster {
  const agents = {
    'http:': new http.Agent({ keepAlive: true }),
    'https:': new https.Agent({ keepAlive: true }),
  };
  let inFlight = 0;
  let closing = false;
  const destroyWhenIdle = () => {
    if (!closing || inFlight > 0) return;
    agents['http:'].destroy();
    agents['https:'].destroy();
  };
  return {
    post(endpoint, body, headers, timeoutMs) {
      const url = URL.canParse(endpoint) ? new URL(endpoint) : null;
      const transport =
        url?.protocol === 'https:' ? https : url?.protocol === 'http:' ? http : null;
      if (url === null || transport === null) {
        return Promise.reject(new Error(`push endpoint ${endpoint}: not an http(s) URL`));
      }
      inFlight += 1;
      const exchange = new Promise<number>((resolve, reject) => {
        const request = transport.request(url, {
          method: 'POST',
          agent: agents[url.protocol as keyof typeof agents],
          headers: { ...headers, 'content-length': String(body.length) },
        });
        // One deadline for the whole exchange, as the real service bounds a push by the ack
        // deadline, not only while the socket is idle.
        const deadline = setTimeout(() => {
          request.destroy(new Error(`push to ${endpoint} timed out after ${timeoutMs} ms`));
        }, timeoutMs);
        deadline.unref();
        request.on('response', (response) => {
          response.resume();
          response.on('end', () => {
            clearTimeout(deadline);
            resolve(response.statusCode ?? 0);
          });
          response.on('error', (error) => {
            clearTimeout(deadline);
            reject(error);
          });
          response.on('close', () => {
            clearTimeout(deadline);
            if (!response.complete) reject(new Error(`push to ${endpoint}: response cut short`));
          });
        });
        request.on('error', (error) => {
          clearTimeout(deadline);
          reject(error);
        });
        request.end(body);
      });
      return exchange.finally(() => {
        inFlight -= 1;
        destroyWhenIdle();
      });
    },
    close() {
      closing = true;
      destroyWhenIdle();
    },
  };
}
