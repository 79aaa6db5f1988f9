/**
 * A small HTTP file server for the worker's download tests, with what OCP's download endpoint does
 * (single byte ranges, If-Range on a strong ETag) and what goes wrong with it (connections dropped
 * part-way, slow links, redirects, the file changing). It counts every body byte it sends.
 */
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RangeServerOptions {
  /** Drop the connection after this many body bytes, for each of the first `drops` responses. */
  dropAfterBytes?: number;
  drops?: number;
  /** Bytes per second (whole body), for slow-download tests. */
  bytesPerSecond?: number;
  /** Answer every request with a redirect to this URL. */
  redirectTo?: string;
  /** Ignore Range headers (a server without range support). */
  noRanges?: boolean;
}

export interface RangeServer {
  url: string;
  port: number;
  /** Body bytes sent, over all responses. */
  bytesSent: number;
  requests: { range?: string; ifRange?: string; status: number }[];
  /** Replace the file (the ETag changes with it). */
  setContent(content: Buffer): void;
  close(): Promise<void>;
}

export async function startRangeServer(initial: Buffer, options: RangeServerOptions = {}, path = '/export.zip'): Promise<RangeServer> {
  let content = initial;
  let version = 1;
  let dropsLeft = options.drops ?? (options.dropAfterBytes !== undefined ? 1 : 0);
  const state: RangeServer = {
    url: '',
    port: 0,
    bytesSent: 0,
    requests: [],
    setContent(next) {
      content = next;
      version += 1;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
  const server: Server = createServer((req, res) => {
    const etag = `"v${version}-${content.length}"`;
    const range = req.headers.range;
    const ifRange = req.headers['if-range'] as string | undefined;
    if (options.redirectTo) {
      state.requests.push({ range, ifRange, status: 302 });
      res.writeHead(302, { location: options.redirectTo }).end();
      return;
    }
    let start = 0;
    let end = content.length - 1;
    let status = 200;
    const m = /^bytes=(\d*)-(\d*)$/.exec(range ?? '');
    if (m && !options.noRanges && (ifRange === undefined || ifRange === etag)) {
      status = 206;
      if (m[1] === '') start = Math.max(0, content.length - Number(m[2]));
      else {
        start = Number(m[1]);
        if (m[2] !== '') end = Math.min(end, Number(m[2]));
      }
    }
    state.requests.push({ range, ifRange, status });
    const body = content.subarray(start, end + 1);
    const headers: Record<string, string | number> = { etag, 'content-length': body.length, 'accept-ranges': 'bytes' };
    if (status === 206) headers['content-range'] = `bytes ${start}-${end}/${content.length}`;
    res.writeHead(status, headers);
    const drop = dropsLeft > 0 && options.dropAfterBytes !== undefined && options.dropAfterBytes < body.length;
    if (drop) dropsLeft -= 1;
    void send(res, body, drop ? options.dropAfterBytes! : undefined);
  });

  async function send(res: ServerResponse, body: Buffer, dropAt: number | undefined): Promise<void> {
    const chunk = options.bytesPerSecond ? Math.max(1, Math.floor(options.bytesPerSecond / 20)) : 64 * 1024;
    for (let p = 0; p < body.length; p += chunk) {
      if (res.destroyed) return;
      let piece = body.subarray(p, Math.min(body.length, p + chunk));
      if (dropAt !== undefined && p + piece.length >= dropAt) {
        piece = piece.subarray(0, dropAt - p);
        state.bytesSent += piece.length;
        res.write(piece, () => res.socket?.destroy());
        return;
      }
      state.bytesSent += piece.length;
      const ok = res.write(piece);
      if (options.bytesPerSecond) await new Promise((r) => setTimeout(r, 50));
      else if (!ok) await new Promise((r) => res.once('drain', r));
    }
    res.end();
  }

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.port = (server.address() as AddressInfo).port;
  state.url = `http://127.0.0.1:${state.port}${path}`;
  return state;
}
