/**
 * Writes a byte range of an export archive to an HTTP response the way a real, imperfect CDN would:
 * with backpressure, optionally paced to a bandwidth, stalled once, cut after N bytes, or with one
 * byte flipped. Every misbehaviour happens at its exact byte, so tests can assert where.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { archiveRange, type ArchiveLayout } from './zip-archive.ts';

export interface StreamPlan {
  /** Bytes per second, real time. */
  bandwidth?: number;
  /** Destroy the connection once this many body bytes are out. */
  dropAfter?: number;
  /** Archive offset of the byte to flip; -1 for none. */
  corruptAt: number;
  stall?: { afterBytes: number; ms: number };
}

export async function streamArchive(
  res: ServerResponse,
  closed: AbortSignal,
  layout: ArchiveLayout,
  start: number,
  end: number,
  how: StreamPlan,
  onBytes: (count: number) => void,
): Promise<{ bytes: number; dropped: boolean }> {
  const chunkBytes = how.bandwidth ? Math.max(1024, Math.min(64 * 1024, Math.floor(how.bandwidth / 20))) : 64 * 1024;
  let began = performance.now();
  let bytes = 0;
  let stalled = false;
  for (const raw of archiveRange(layout, start, end, chunkBytes)) {
    let chunk = raw;
    const chunkStart = start + bytes;
    if (how.corruptAt >= chunkStart && how.corruptAt < chunkStart + chunk.length) {
      chunk = Buffer.from(chunk);
      const at = how.corruptAt - chunkStart;
      chunk[at] = chunk[at]! ^ 0xff;
    }
    // Split the chunk where a stall or a drop is due, so each happens at its exact byte.
    do {
      if (closed.aborted) return { bytes, dropped: false };
      const stallDue = how.stall && !stalled ? how.stall.afterBytes : Infinity;
      const limit = Math.min(chunk.length, stallDue - bytes, (how.dropAfter ?? Infinity) - bytes);
      const piece = chunk.subarray(0, Math.max(0, limit));
      chunk = chunk.subarray(piece.length);
      const dropNow = how.dropAfter !== undefined && bytes + piece.length >= how.dropAfter;
      if (dropNow) {
        // Let the headers and bytes reach the client before the cut, as a flaky network would deliver them.
        await new Promise<void>((resolve) => res.write(piece, () => resolve()));
      } else if (piece.length > 0 && !res.write(piece)) {
        await drained(res, closed);
      }
      bytes += piece.length;
      onBytes(piece.length);
      if (dropNow) {
        res.socket?.destroy();
        return { bytes, dropped: true };
      }
      if (how.stall && !stalled && bytes >= how.stall.afterBytes) {
        stalled = true;
        await sleep(how.stall.ms, closed);
        began += how.stall.ms; // the stall does not count against the bandwidth budget
      }
      if (how.bandwidth) {
        const due = (bytes / how.bandwidth) * 1000 - (performance.now() - began);
        if (due > 1) await sleep(due, closed);
      }
    } while (chunk.length > 0);
  }
  res.end();
  return { bytes, dropped: false };
}

export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

function drained(res: ServerResponse, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    function done() {
      res.off('drain', done);
      signal.removeEventListener('abort', done);
      resolve();
    }
    res.on('drain', done);
    signal.addEventListener('abort', done, { once: true });
  });
}

