/**
 * Turns the bytes of one ZIP entry (local header + data, as read from the archive) into the
 * entry's content: skips and checks the local header, passes exactly the compressed size that the
 * central directory declared, and inflates it with Node's zlib when it is deflated.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { createInflateRaw } from 'node:zlib';
import { ArchiveInvalidError } from './errors.ts';
import type { ZipEntry } from './zip-directory.ts';

const LOCAL_HEADER = 0x04034b50;

/** Strips the local file header and anything after the compressed data (a data descriptor). */
export class LocalEntryReader extends Transform {
  private header: Buffer | undefined = Buffer.alloc(0);
  private remaining: number;

  constructor(private readonly entry: ZipEntry) {
    super();
    this.remaining = entry.compressedSize;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    let data = chunk;
    if (this.header) {
      this.header = Buffer.concat([this.header, chunk]);
      if (this.header.length < 30) return done();
      if (this.header.readUInt32LE(0) !== LOCAL_HEADER) return done(new ArchiveInvalidError('The recording entry has no local file header where the directory points.'));
      const start = 30 + this.header.readUInt16LE(26) + this.header.readUInt16LE(28);
      if (this.header.length < start) return done();
      const name = this.header.toString('utf8', 30, 30 + this.header.readUInt16LE(26));
      if (name !== this.entry.name)
        return done(new ArchiveInvalidError(`The local header names "${name.slice(0, 200)}" where the directory names "${this.entry.name}": the archive is inconsistent.`));
      data = this.header.subarray(start);
      this.header = undefined;
    }
    if (this.remaining > 0 && data.length > 0) {
      const piece = data.length > this.remaining ? data.subarray(0, this.remaining) : data;
      this.remaining -= piece.length;
      this.push(piece);
    }
    done();
  }

  override _flush(done: TransformCallback): void {
    if (this.header || this.remaining > 0) return done(new ArchiveInvalidError('The archive ended before the recording entry did.'));
    done();
  }
}

/** Decompressor for the entry, or none when it is stored. */
export function decompressorFor(entry: ZipEntry): Transform | undefined {
  return entry.compressionMethod === 0 ? undefined : createInflateRaw({ chunkSize: 256 * 1024 });
}

/** zlib's own errors ("invalid stored block lengths") mean the data is corrupt, not that the worker failed. */
export function isCorruptDeflate(err: unknown): boolean {
  return err instanceof Error && typeof (err as NodeJS.ErrnoException).code === 'string' && (err as NodeJS.ErrnoException).code!.startsWith('Z_');
}
