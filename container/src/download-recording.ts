/**
 * One download task end to end: read the export's ZIP directory from OCP, stream the recording
 * entry out of it (resuming dropped connections), inspect it on the way, and store it in S3 under
 * the call's deterministic key with its sha256 and source job as metadata.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream';
import type { DownloadResult, DownloadTask } from '../../runtime/contracts.ts';
import { NamedError } from '../../runtime/errors.ts';
import { Bucket } from '../../system/resources.ts';
import { ArchiveInvalidError, UploadFailedError } from './errors.ts';
import type { Logger } from './log.ts';
import { RecordingInspector } from './recording-inspector.ts';
import type { RecordingStore } from './recording-store.ts';
import { MetadataKeys } from './recording-store.ts';
import { RemoteArchive } from './remote-archive.ts';
import type { UrlGuard } from './url-guard.ts';
import { TAIL_BYTES, locateDirectory, parseDirectory, selectRecording, type ZipLimits } from './zip-directory.ts';
import { LocalEntryReader, decompressorFor, isCorruptDeflate } from './zip-entry-stream.ts';

/**
 * Read-ahead from OCP. Small on purpose: chunks that wait in a buffer while the upload queue is full
 * live long enough to be promoted to V8's old generation, where they stay until a full GC.
 */
const SOURCE_BUFFER_BYTES = 64 * 1024;

export interface DownloadDeps {
  guard: UrlGuard;
  store: RecordingStore;
  limits: ZipLimits & { maxArchiveBytes: number };
  http: { maxResumes: number; idleTimeoutMs: number; resumeBackoffMs?: number };
  log: Logger;
}

export interface DownloadStats {
  bytesFetched: number;
  requests: number;
}

export async function downloadRecording(task: DownloadTask, deps: DownloadDeps, signal: AbortSignal, stats?: DownloadStats): Promise<DownloadResult> {
  const log = deps.log;
  const { archive, tail, tailStart } = await RemoteArchive.open(task.downloadUrl, TAIL_BYTES, {
    guard: deps.guard,
    signal,
    log,
    maxArchiveBytes: deps.limits.maxArchiveBytes,
    ...deps.http,
  });
  const record = () => {
    if (stats) Object.assign(stats, { bytesFetched: archive.bytesReceived, requests: archive.requests });
  };
  try {
    const location = locateDirectory(tail, tailStart, archive.size);
    // The directory is normally inside the tail; when it is not, fetch only the part before the tail.
    const directory =
      location.offset >= tailStart
        ? tail.subarray(location.offset - tailStart, location.offset - tailStart + location.size)
        : Buffer.concat([await archive.readBuffer(location.offset, tailStart), tail]).subarray(0, location.size);
    const entry = selectRecording(parseDirectory(directory, location, deps.limits), location.offset, deps.limits);
    log.info('archive directory read', { archiveBytes: archive.size, entry: entry.name, compressed: entry.compressedSize, uncompressed: entry.uncompressedSize });

    const source = Readable.from(entryBytes(archive, entry.localHeaderOffset, entry.regionEnd, tail, tailStart), { objectMode: false, highWaterMark: SOURCE_BUFFER_BYTES });
    const inspector = new RecordingInspector(entry, deps.limits.maxUncompressedBytes);
    const inflate = decompressorFor(entry);
    const stages = [source, new LocalEntryReader(entry), ...(inflate ? [inflate] : []), inspector] as const;
    let streamError: unknown;
    // The pipeline links the stages with backpressure and destroys them all on the first error,
    // which ends the upload's body with that error so the multipart upload is aborted.
    pipeline(stages as unknown as [Readable, ...NodeJS.WritableStream[]], (err) => {
      if (err) streamError ??= err;
    });
    const onAbort = () => source.destroy(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });

    const key = Bucket.recordingKey(task.dialogGroupId, task.callId);
    const ids = { [MetadataKeys.exportJobId]: task.exportJobId, [MetadataKeys.dialogGroupId]: task.dialogGroupId, [MetadataKeys.callId]: task.callId };
    try {
      await deps.store.upload(key, inspector, ids);
    } catch (err) {
      throw failure(signal, streamError ?? err, 'upload');
    } finally {
      signal.removeEventListener('abort', onAbort);
      // After a failed upload nothing reads the stream any more: close the connection to OCP now.
      source.destroy();
      record();
    }
    if (streamError) throw failure(signal, streamError, 'upload');
    const inspected = inspector.result();

    try {
      await deps.store.replaceMetadata(key, inspected.sizeBytes, { ...ids, [MetadataKeys.sha256]: inspected.sha256 });
    } catch (err) {
      throw failure(signal, err, 'metadata');
    }
    if (signal.aborted) {
      // The token is gone or the worker is stopping: nobody will be told about this object.
      await deps.store.delete(key).catch(() => undefined);
      throw signal.reason;
    }
    return {
      status: 'STORED',
      s3Uri: `s3://${deps.store.bucket}/${key}`,
      bucket: deps.store.bucket,
      key,
      sizeBytes: inspected.sizeBytes,
      sha256: inspected.sha256,
      exportJobId: task.exportJobId,
      audio: inspected.audio,
    };
  } finally {
    record();
  }
}

/** The entry's bytes: from OCP up to where the tail begins, then from the tail already in memory. */
async function* entryBytes(archive: RemoteArchive, start: number, end: number, tail: Buffer, tailStart: number): AsyncGenerator<Buffer> {
  if (start < tailStart) yield* archive.read(start, Math.min(end, tailStart));
  if (end > tailStart) yield tail.subarray(Math.max(start, tailStart) - tailStart, end - tailStart);
}

function failure(signal: AbortSignal, err: unknown, stage: 'upload' | 'metadata'): unknown {
  if (signal.aborted) return signal.reason;
  if (err instanceof NamedError) return err;
  if (isCorruptDeflate(err)) return new ArchiveInvalidError(`The recording's deflate data is corrupt (${(err as Error).message}).`);
  const message = (err as Error)?.message ?? String(err);
  return new UploadFailedError(
    stage === 'upload'
      ? `Storing the recording in S3 failed (${message}); the partial upload was aborted. Check the bucket and the worker's S3 permissions.`
      : `The recording was stored but its sha256 metadata could not be written (${message}); check the worker's s3:PutObject and s3:GetObject permissions.`,
  );
}
