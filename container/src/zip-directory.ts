/**
 * Reads a ZIP's central directory from the archive's tail and picks the recording entry.
 * The directory is the authoritative list of entries; reading it first lets every limit (entry
 * count, names, sizes, compression ratio) be checked before the body is transferred, and gives the
 * entry's compressed size even when the writer streamed it with a data descriptor, which a
 * front-to-back parser can only find by scanning for a signature that may occur inside the data.
 */
import { ArchiveInvalidError, TooLargeError } from './errors.ts';

export interface ZipLimits {
  maxEntries: number;
  maxUncompressedBytes: number;
  /** Largest uncompressed/compressed ratio accepted; a zip bomb's is in the thousands. */
  maxCompressionRatio: number;
}

export interface ZipEntry {
  name: string;
  flags: number;
  compressionMethod: number;
  crc32: number;
  compressedSize: number;
  uncompressedSize: number;
  localHeaderOffset: number;
}

export interface DirectoryLocation {
  offset: number;
  size: number;
  entryCount: number;
}

const EOCD = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_EOCD = 0x06064b50;
const CENTRAL_HEADER = 0x02014b50;
/** End-of-central-directory record (22) + longest comment (65535) + zip64 locator (20) + zip64 record (56). */
export const TAIL_BYTES = 22 + 65_535 + 20 + 56;
const MAX_DIRECTORY_BYTES = 1024 * 1024;

/** Finds the end-of-central-directory record in the tail and says where the directory is. */
export function locateDirectory(tail: Buffer, tailStart: number, archiveSize: number): DirectoryLocation {
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === EOCD && i + 22 + tail.readUInt16LE(i + 20) === tail.length) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new ArchiveInvalidError('The export is not a ZIP archive: no end-of-central-directory record in its last bytes.');
  let entryCount = tail.readUInt16LE(eocd + 10);
  let size = tail.readUInt32LE(eocd + 12);
  let offset = tail.readUInt32LE(eocd + 16);
  if (entryCount === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
    const locator = eocd - 20;
    if (locator < 0 || tail.readUInt32LE(locator) !== ZIP64_LOCATOR) throw new ArchiveInvalidError('The ZIP64 archive has no ZIP64 end-of-directory locator.');
    const record = safeNumber(tail.readBigUInt64LE(locator + 8)) - tailStart;
    if (record < 0 || record + 56 > locator || tail.readUInt32LE(record) !== ZIP64_EOCD)
      throw new ArchiveInvalidError('The ZIP64 end-of-directory record is missing or not where its locator points.');
    entryCount = safeNumber(tail.readBigUInt64LE(record + 32));
    size = safeNumber(tail.readBigUInt64LE(record + 40));
    offset = safeNumber(tail.readBigUInt64LE(record + 48));
  }
  if (offset + size > tailStart + eocd || offset + size > archiveSize)
    throw new ArchiveInvalidError('The ZIP central directory points past the end of the archive.');
  if (size > MAX_DIRECTORY_BYTES) throw new ArchiveInvalidError(`The ZIP central directory is ${size} bytes; an export's is a few hundred.`);
  return { offset, size, entryCount };
}

/** Parses the directory bytes; stops at `maxEntries` so a hostile count costs nothing. */
export function parseDirectory(directory: Buffer, location: DirectoryLocation, limits: ZipLimits): ZipEntry[] {
  if (location.entryCount > limits.maxEntries)
    throw new ArchiveInvalidError(`The export archive has ${location.entryCount} entries; at most ${limits.maxEntries} are accepted (MAX_ARCHIVE_ENTRIES).`);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let i = 0; i < location.entryCount; i++) {
    if (p + 46 > directory.length || directory.readUInt32LE(p) !== CENTRAL_HEADER)
      throw new ArchiveInvalidError(`The ZIP central directory is corrupt at entry ${i + 1}.`);
    const nameLength = directory.readUInt16LE(p + 28);
    const extraLength = directory.readUInt16LE(p + 30);
    const commentLength = directory.readUInt16LE(p + 32);
    const end = p + 46 + nameLength + extraLength + commentLength;
    if (end > directory.length) throw new ArchiveInvalidError(`The ZIP central directory is truncated at entry ${i + 1}.`);
    const entry: ZipEntry = {
      name: directory.toString('utf8', p + 46, p + 46 + nameLength),
      flags: directory.readUInt16LE(p + 8),
      compressionMethod: directory.readUInt16LE(p + 10),
      crc32: directory.readUInt32LE(p + 16),
      compressedSize: directory.readUInt32LE(p + 20),
      uncompressedSize: directory.readUInt32LE(p + 24),
      localHeaderOffset: directory.readUInt32LE(p + 42),
    };
    applyZip64Extra(entry, directory.subarray(p + 46 + nameLength, p + 46 + nameLength + extraLength));
    entries.push(entry);
    p = end;
  }
  return entries;
}

/** Sizes and offset that did not fit 32 bits live, in this order, in the ZIP64 extra field (0x0001). */
function applyZip64Extra(entry: ZipEntry, extra: Buffer): void {
  const wanted = (['uncompressedSize', 'compressedSize', 'localHeaderOffset'] as const).filter((k) => entry[k] === 0xffffffff);
  if (wanted.length === 0) return;
  for (let q = 0; q + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(q);
    const length = extra.readUInt16LE(q + 2);
    if (id === 0x0001) {
      if (length < wanted.length * 8) break;
      wanted.forEach((k, i) => (entry[k] = safeNumber(extra.readBigUInt64LE(q + 4 + i * 8))));
      return;
    }
    q += 4 + length;
  }
  throw new ArchiveInvalidError(`The ZIP entry "${entry.name}" needs a ZIP64 extra field it does not have.`);
}

/** A name that could escape an extraction folder, or hide from a reader, is refused outright. */
export function assertSafeName(name: string): void {
  const segments = name.split(/[\\/]/);
  if (name.length === 0 || name.includes('\0') || /^[\\/]/.test(name) || /^[a-zA-Z]:/.test(name) || segments.includes('..'))
    throw new ArchiveInvalidError(`The export archive contains an unsafe entry name ("${name.slice(0, 200)}"): absolute paths and ".." are refused.`);
}

export interface RecordingEntry extends ZipEntry {
  /** End (exclusive) of the bytes that hold the local header and data: the next entry or the directory. */
  regionEnd: number;
}

/** Checks every entry and returns the single .wav recording with the range that holds it. */
export function selectRecording(entries: ZipEntry[], directoryOffset: number, limits: ZipLimits): RecordingEntry {
  for (const e of entries) assertSafeName(e.name);
  const wavs = entries.filter((e) => /\.wav$/i.test(e.name) && !e.name.endsWith('/'));
  if (wavs.length !== 1)
    throw new ArchiveInvalidError(
      wavs.length === 0
        ? `The export archive holds no .wav recording (entries: ${entries.map((e) => e.name).join(', ') || 'none'}).`
        : `The export archive holds ${wavs.length} .wav entries; the worker expects exactly one recording.`,
    );
  const rec = wavs[0]!;
  if (rec.flags & 0x1) throw new ArchiveInvalidError(`The recording "${rec.name}" is encrypted; OCP exports must not be.`);
  if (rec.compressionMethod !== 0 && rec.compressionMethod !== 8)
    throw new ArchiveInvalidError(`The recording "${rec.name}" uses ZIP compression method ${rec.compressionMethod}; only stored (0) and deflate (8) are supported.`);
  if (rec.uncompressedSize > limits.maxUncompressedBytes)
    throw new TooLargeError(`The recording is ${rec.uncompressedSize} bytes uncompressed, over the ${limits.maxUncompressedBytes}-byte limit (MAX_UNCOMPRESSED_BYTES).`, {
      uncompressedSize: rec.uncompressedSize,
    });
  if (rec.compressionMethod === 0 && rec.compressedSize !== rec.uncompressedSize)
    throw new ArchiveInvalidError(`The stored (uncompressed) recording declares different compressed and uncompressed sizes.`);
  const ratio = rec.uncompressedSize / Math.max(rec.compressedSize, 1);
  if (ratio > limits.maxCompressionRatio)
    throw new ArchiveInvalidError(
      `The recording declares a compression ratio of ${ratio.toFixed(0)}:1, over the ${limits.maxCompressionRatio}:1 limit (MAX_COMPRESSION_RATIO): refused as a likely zip bomb.`,
    );
  const next = Math.min(directoryOffset, ...entries.map((e) => e.localHeaderOffset).filter((o) => o > rec.localHeaderOffset));
  if (rec.localHeaderOffset + 30 + rec.compressedSize > next)
    throw new ArchiveInvalidError(`The recording's data overlaps the next entry or the directory: the archive is corrupt.`);
  return { ...rec, regionEnd: next };
}

function safeNumber(value: bigint): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ArchiveInvalidError('The ZIP64 archive declares a size beyond what the worker can address.');
  return Number(value);
}
