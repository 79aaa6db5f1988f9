/**
 * HTTP access to the export ZIP on OCP: GET requests that go through the SSRF guard (every redirect
 * hop included), and ranged reads that survive dropped connections. A read resumes with
 * `Range: bytes=<next byte>-` and `If-Range: <ETag>`, so bytes already received are never fetched
 * again and a changed export is noticed instead of spliced.
 */
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { NamedError } from '../../runtime/errors.ts';
import { ArchiveInvalidError, DownloadFailedError, TooLargeError } from './errors.ts';
import type { Logger } from './log.ts';
import type { UrlGuard } from './url-guard.ts';

export interface RemoteArchiveOptions {
  guard: UrlGuard;
  signal: AbortSignal;
  log: Logger;
  /** Resumes allowed after dropped connections or retryable statuses, per ranged read. */
  maxResumes: number;
  /** A connection silent this long is treated as dropped. */
  idleTimeoutMs: number;
  maxArchiveBytes: number;
  /** First wait before a resume; doubles each time. */
  resumeBackoffMs?: number;
}

const maxRedirects = 5;

/** A 429 or 5xx: worth another attempt. */
class RetryableStatusError extends Error {
  constructor(readonly status: number) {
    super(`OCP answered HTTP ${status}`);
  }
}

const contentRange = /^bytes (\d+)-(\d+)\/(\d+)$/;

export class RemoteArchive {
  /** Bytes of response bodies received, over all requests. */
  bytesReceived = 0;
  requests = 0;

  private constructor(
    private readonly url: URL,
    readonly size: number,
    /** Strong ETag or Last-Modified: what If-Range compares. */
    private readonly validator: string | undefined,
    private readonly options: RemoteArchiveOptions,
  ) {}

  /**
   * Opens the archive by reading its last `tailBytes` (where the ZIP directory lives), which also
   * tells its size and version. OCP must honour Range requests: the worker needs them to read the
   * directory first and to resume.
   */
  static async open(rawUrl: string, tailBytes: number, options: RemoteArchiveOptions): Promise<{ archive: RemoteArchive; tail: Buffer; tailStart: number }> {
    const { url } = options.guard.checkUrl(rawUrl);
    const res = await getWithRetries(url, { range: `bytes=-${tailBytes}` }, options);
    if (res.statusCode === 416) {
      res.resume();
      throw new ArchiveInvalidError('The export download is empty (OCP answered 416 to a range request); re-run the export.');
    }
    if (res.statusCode !== 206) {
      res.destroy();
      throw new DownloadFailedError(
        `OCP answered HTTP ${res.statusCode} instead of 206 to a range request; the worker needs Range support to read the archive directory and to resume.`,
      );
    }
    const range = contentRange.exec(String(res.headers['content-range'] ?? ''));
    if (!range) {
      res.destroy();
      throw new DownloadFailedError(`OCP sent a 206 without a usable Content-Range ("${res.headers['content-range'] ?? ''}").`);
    }
    const tailStart = Number(range[1]);
    const size = Number(range[3]);
    if (size > options.maxArchiveBytes) {
      res.destroy();
      throw new TooLargeError(`The export archive is ${size} bytes, over the ${options.maxArchiveBytes}-byte limit (MAX_ARCHIVE_BYTES).`, { size });
    }
    const etag = res.headers.etag;
    const validator = etag && !etag.startsWith('W/') ? etag : res.headers['last-modified'];
    const archive = new RemoteArchive(url, size, validator, options);
    archive.requests = 1;
    const parts: Buffer[] = [];
    for await (const chunk of res as AsyncIterable<Buffer>) {
      archive.bytesReceived += chunk.length;
      parts.push(chunk);
    }
    const tail = Buffer.concat(parts);
    if (tail.length !== Number(range[2]) - tailStart + 1) throw new DownloadFailedError('OCP closed the connection while sending the archive directory.');
    return { archive, tail, tailStart };
  }

  /** Reads [start, end) whole, for small parts such as a directory that did not fit the tail. */
  async readBuffer(start: number, end: number): Promise<Buffer> {
    const parts: Buffer[] = [];
    for await (const chunk of this.read(start, end)) parts.push(chunk);
    return Buffer.concat(parts);
  }

  /** Streams [start, end), resuming from the next byte after a drop, up to `maxResumes` times. */
  async *read(start: number, end: number): AsyncGenerator<Buffer> {
    const { signal, log, maxResumes } = this.options;
    let position = start;
    let resumes = 0;
    while (position < end) {
      let res: IncomingMessage | undefined;
      try {
        const headers: OutgoingHttpHeaders = { range: `bytes=${position}-${end - 1}` };
        if (this.validator) headers['if-range'] = this.validator;
        this.requests += 1;
        res = await get(this.url, headers, this.options);
        this.expectRange(res, position, end);
        for await (const chunk of res as AsyncIterable<Buffer>) {
          const piece = position + chunk.length > end ? chunk.subarray(0, end - position) : chunk;
          this.bytesReceived += chunk.length;
          position += piece.length;
          if (piece.length > 0) yield piece;
          if (position >= end) break;
        }
        if (position < end) throw new Error(`OCP ended the response at byte ${position} of ${end}`);
      } catch (err) {
        if (signal.aborted) throw signal.reason;
        if (err instanceof NamedError) throw err;
        resumes += 1;
        if (resumes > maxResumes) {
          throw new DownloadFailedError(
            `The download from OCP kept failing: ${resumes - 1} resumes did not finish it (last error: ${(err as Error).message}). ` +
              'The workflow may retry; if this persists, check OCP availability.',
            { receivedUpTo: position },
          );
        }
        log.warn('download interrupted; resuming from the last byte received', { at: position, resume: resumes, reason: (err as Error).message });
        await sleep((this.options.resumeBackoffMs ?? 200) * 2 ** (resumes - 1), undefined, { signal });
      } finally {
        res?.destroy();
      }
    }
  }

  private expectRange(res: IncomingMessage, start: number, end: number): void {
    if (res.statusCode === 200) {
      throw new DownloadFailedError(
        'The export changed on OCP while it was being downloaded (If-Range no longer matched); the workflow can retry the download to fetch the new version.',
      );
    }
    if (res.statusCode === 429 || (res.statusCode ?? 0) >= 500) throw new RetryableStatusError(res.statusCode ?? 0);
    if (res.statusCode !== 206) throw new DownloadFailedError(`OCP answered HTTP ${res.statusCode} to a range request for the export.`);
    const range = contentRange.exec(String(res.headers['content-range'] ?? ''));
    if (!range || Number(range[1]) !== start || Number(range[3]) !== this.size || Number(range[2]) > end - 1) {
      throw new DownloadFailedError(
        `OCP answered a request for bytes ${start}-${end - 1} of ${this.size} with "${res.headers['content-range'] ?? 'no Content-Range'}"; the export may have changed.`,
      );
    }
  }
}

async function getWithRetries(url: URL, headers: OutgoingHttpHeaders, options: RemoteArchiveOptions): Promise<IncomingMessage> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await get(url, headers, options);
    } catch (err) {
      if (options.signal.aborted) throw options.signal.reason;
      if (err instanceof NamedError) throw err;
      if (attempt >= options.maxResumes)
        throw new DownloadFailedError(`Could not reach OCP to start the download after ${attempt + 1} attempts (last error: ${(err as Error).message}).`);
      options.log.warn('OCP request failed; retrying', { attempt: attempt + 1, reason: (err as Error).message });
      await sleep((options.resumeBackoffMs ?? 200) * 2 ** attempt, undefined, { signal: options.signal });
    }
  }
}

/** One GET that follows redirects, each hop checked by the guard; 404/410 and other client errors are final. */
async function get(first: URL, headers: OutgoingHttpHeaders, options: RemoteArchiveOptions): Promise<IncomingMessage> {
  let url = first;
  for (let hop = 0; ; hop++) {
    const { origin } = options.guard.checkUrl(url);
    const res = await send(url, headers, options, origin);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= maxRedirects) throw new DownloadFailedError(`OCP redirected the download more than ${maxRedirects} times.`);
      url = new URL(res.headers.location, url);
      continue;
    }
    if (status === 404 || status === 410) {
      res.resume();
      throw new DownloadFailedError(`OCP answered HTTP ${status} for the export download: the export has expired or was removed; re-run the export.`);
    }
    if (status === 429 || status >= 500) {
      res.resume();
      throw new RetryableStatusError(status);
    }
    if (status >= 400 && status !== 416) {
      res.resume();
      throw new DownloadFailedError(`OCP answered HTTP ${status} for the export download; check the worker's access to OCP.`);
    }
    return res;
  }
}

function send(url: URL, headers: OutgoingHttpHeaders, options: RemoteArchiveOptions, origin: Parameters<UrlGuard['lookupFor']>[0]): Promise<IncomingMessage> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'GET', headers, signal: options.signal, lookup: options.guard.lookupFor(origin) as never }, resolve);
    req.setTimeout(options.idleTimeoutMs, () => req.destroy(new Error(`no data from OCP for ${options.idleTimeoutMs} ms`)));
    req.once('error', reject);
    req.end();
  });
}
