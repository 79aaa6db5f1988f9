/**
 * The export archive: one STORED (uncompressed) WAV entry, laid out exactly as yazl's `addBuffer`
 * with `compress: false, forceDosTimestamp: true` writes it (test/ocp/zip-archive.test.ts compares
 * byte for byte). Why not stream through yazl itself: yazl only knows the CRC after reading the data,
 * so it writes it in a trailing data descriptor; here the CRC is known up front (recording.ts), so it
 * goes into the local header, every byte's position is fixed, and any Range is produced directly.
 * Streaming unzippers also cope far better with sizes in the local header than with a STORED entry
 * whose end must be found by scanning for a descriptor signature.
 */
import { wavBytes, wavCrc32, wavRange, type RecordingSpec } from './recording.ts';

const LocalHeaderFixed = 30;
const CentralHeaderFixed = 46;
const EndOfCentralDirectory = 22;
const VersionNeeded = 20; // 2.0: UTF-8 names
const VersionMadeBy = (3 << 8) | 63; // unix, spec 6.3 (as yazl)
const Utf8Names = 1 << 11;
const RegularFileMode = 0o100664;

export interface ArchiveLayout {
  entryName: string;
  recording: RecordingSpec;
  crc32: number;
  wavSize: number;
  localHeader: Buffer;
  trailer: Buffer;
  /** Offset of the WAV's first byte in the archive. */
  dataOffset: number;
  totalSize: number;
}

/** DOS date/time in UTC, so the archive is the same on every machine. */
function dosDateTime(date: Date): { time: number; date: number } {
  const year = Math.min(Math.max(date.getUTCFullYear(), 1980), 2107);
  return {
    time: (date.getUTCHours() << 11) | (date.getUTCMinutes() << 5) | Math.floor(date.getUTCSeconds() / 2),
    date: ((year - 1980) << 9) | ((date.getUTCMonth() + 1) << 5) | date.getUTCDate(),
  };
}

export function archiveLayout(recording: RecordingSpec, entryName: string, modified: Date): ArchiveLayout {
  const name = Buffer.from(entryName, 'utf8');
  if (name.length > 0xffff) throw new Error(`ZIP entry name is ${name.length} bytes; the format allows 65535.`);
  const crc = wavCrc32(recording);
  const size = wavBytes(recording);
  const dos = dosDateTime(modified);

  const local = Buffer.alloc(LocalHeaderFixed);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(VersionNeeded, 4);
  local.writeUInt16LE(Utf8Names, 6);
  local.writeUInt16LE(0, 8); // stored
  local.writeUInt16LE(dos.time, 10);
  local.writeUInt16LE(dos.date, 12);
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(size, 18);
  local.writeUInt32LE(size, 22);
  local.writeUInt16LE(name.length, 26);
  local.writeUInt16LE(0, 28);
  const localHeader = Buffer.concat([local, name]);

  const central = Buffer.alloc(CentralHeaderFixed);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(VersionMadeBy, 4);
  central.writeUInt16LE(VersionNeeded, 6);
  central.writeUInt16LE(Utf8Names, 8);
  central.writeUInt16LE(0, 10);
  central.writeUInt16LE(dos.time, 12);
  central.writeUInt16LE(dos.date, 14);
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(size, 20);
  central.writeUInt32LE(size, 24);
  central.writeUInt16LE(name.length, 28);
  central.writeUInt16LE(0, 30); // extra
  central.writeUInt16LE(0, 32); // comment
  central.writeUInt16LE(0, 34); // disk
  central.writeUInt16LE(0, 36); // internal attributes
  central.writeUInt32LE((RegularFileMode << 16) >>> 0, 38);
  central.writeUInt32LE(0, 42); // local header offset
  const centralRecord = Buffer.concat([central, name]);

  const centralOffset = localHeader.length + size;
  const end = Buffer.alloc(EndOfCentralDirectory);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(0, 4);
  end.writeUInt16LE(0, 6);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(centralRecord.length, 12);
  end.writeUInt32LE(centralOffset, 16);
  end.writeUInt16LE(0, 20);
  const trailer = Buffer.concat([centralRecord, end]);

  return {
    entryName,
    recording,
    crc32: crc,
    wavSize: size,
    localHeader,
    trailer,
    dataOffset: localHeader.length,
    totalSize: localHeader.length + size + trailer.length,
  };
}

/** The archive's bytes in [start, end] (inclusive, as in HTTP ranges), produced on demand. */
export function* archiveRange(layout: ArchiveLayout, start: number, end: number, chunkBytes = 64 * 1024): Generator<Buffer> {
  const stop = Math.min(end + 1, layout.totalSize);
  let at = start;
  if (at < layout.dataOffset && at < stop) {
    const upTo = Math.min(stop, layout.dataOffset);
    yield layout.localHeader.subarray(at, upTo);
    at = upTo;
  }
  const dataEnd = layout.dataOffset + layout.wavSize;
  if (at < dataEnd && at < stop) {
    const upTo = Math.min(stop, dataEnd);
    yield* wavRange(layout.recording, at - layout.dataOffset, upTo - layout.dataOffset, chunkBytes);
    at = upTo;
  }
  if (at < stop) yield layout.trailer.subarray(at - dataEnd, stop - dataEnd);
}
