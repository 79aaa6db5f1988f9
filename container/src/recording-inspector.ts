/**
 * The last stage before S3: passes the recording through unchanged while it hashes it (sha256),
 * checks its CRC-32 and size against the ZIP directory, enforces the size cap on the bytes actually
 * produced (declared sizes can lie), and reads the WAV header from the first bytes.
 */
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { crc32 } from 'node:zlib';
import { ArchiveInvalidError, TooLargeError } from './errors.ts';
import { MAX_WAV_HEADER_BYTES, describeWav, parseWavHeader, type WavHeader } from './wav-header.ts';
import type { ZipEntry } from './zip-directory.ts';

export interface InspectionResult {
  sizeBytes: number;
  sha256: string;
  audio: ReturnType<typeof describeWav>;
}

export class RecordingInspector extends Transform {
  private readonly hash: Hash = createHash('sha256');
  private crc = 0;
  private bytes = 0;
  private headerBytes: Buffer[] | undefined = [];
  private headerLength = 0;
  private wav: WavHeader | undefined;
  private outcome: InspectionResult | undefined;

  constructor(
    private readonly entry: ZipEntry,
    private readonly maxBytes: number,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    this.bytes += chunk.length;
    if (this.bytes > this.maxBytes)
      return done(new TooLargeError(`The recording grew past the ${this.maxBytes}-byte limit (MAX_UNCOMPRESSED_BYTES) while it was extracted.`));
    if (this.bytes > this.entry.uncompressedSize)
      return done(new ArchiveInvalidError(`The recording inflates past the ${this.entry.uncompressedSize} bytes its ZIP entry declares: refused as a likely zip bomb.`));
    this.hash.update(chunk);
    this.crc = crc32(chunk, this.crc);
    if (this.headerBytes) {
      try {
        this.collectHeader(chunk, false);
      } catch (err) {
        return done(err as Error);
      }
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    try {
      if (this.headerBytes) this.collectHeader(Buffer.alloc(0), true);
      if (this.bytes !== this.entry.uncompressedSize)
        throw new ArchiveInvalidError(`The recording is ${this.bytes} bytes but its ZIP entry declares ${this.entry.uncompressedSize}.`);
      if ((this.crc >>> 0) !== this.entry.crc32 >>> 0) throw new ArchiveInvalidError('The recording fails its ZIP CRC-32 check: the archive is corrupt.');
      this.outcome = { sizeBytes: this.bytes, sha256: this.hash.digest('hex'), audio: describeWav(this.wav!, this.bytes) };
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  /** Available once the stream has ended without error. */
  result(): InspectionResult {
    if (!this.outcome) throw new Error('The recording was not fully inspected.');
    return this.outcome;
  }

  private collectHeader(chunk: Buffer, complete: boolean): void {
    const take = chunk.subarray(0, MAX_WAV_HEADER_BYTES - this.headerLength);
    this.headerBytes!.push(take);
    this.headerLength += take.length;
    const header = parseWavHeader(Buffer.concat(this.headerBytes!), complete || this.headerLength >= MAX_WAV_HEADER_BYTES);
    if (header) {
      this.wav = header;
      this.headerBytes = undefined;
    } else if (this.headerBytes!.length > 1) {
      this.headerBytes = [Buffer.concat(this.headerBytes!)];
    }
  }
}
