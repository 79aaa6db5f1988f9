/**
 * Reads a WAV (RIFF or RF64) header from the first bytes of a recording: the format chunk and
 * where the sample data starts. Duration comes from the data size, capped by the bytes actually
 * stored, because streaming writers often leave the declared size at 0 or 0xFFFFFFFF.
 */
import { ArchiveInvalidError } from './errors.ts';

export interface WavHeader {
  /** WAVE_FORMAT tag: 1 PCM, 3 IEEE float, 6 A-law, 7 mu-law, 0xFFFE extensible (its sub-format's tag is used). */
  formatTag: number;
  channels: number;
  sampleRate: number;
  byteRate: number;
  blockAlign: number;
  bitsPerSample: number;
  /** Offset of the first sample byte. */
  dataOffset: number;
  /** Declared data size, when the header gives a usable one. */
  declaredDataSize: number | undefined;
}

/** The header must be found within this many bytes; past it the file is not a recording we understand. */
export const MAX_WAV_HEADER_BYTES = 1024 * 1024;

/** Parses the header from a prefix of the file; undefined when more bytes are needed. */
export function parseWavHeader(buf: Buffer, complete = false): WavHeader | undefined {
  if (buf.length < 12) return needMore(complete, buf);
  const riff = buf.toString('latin1', 0, 4);
  if ((riff !== 'RIFF' && riff !== 'RF64') || buf.toString('latin1', 8, 12) !== 'WAVE')
    throw new ArchiveInvalidError('The recording is not a WAV file (no RIFF/WAVE header).');
  let ds64DataSize: number | undefined;
  let fmt: Omit<WavHeader, 'dataOffset' | 'declaredDataSize'> | undefined;
  let p = 12;
  while (p + 8 <= buf.length) {
    const id = buf.toString('latin1', p, p + 4);
    const size = buf.readUInt32LE(p + 4);
    const body = p + 8;
    if (id === 'data') {
      if (!fmt) throw new ArchiveInvalidError('The WAV data chunk comes before its fmt chunk.');
      const declared = riff === 'RF64' && size === 0xffffffff ? ds64DataSize : size === 0 || size === 0xffffffff ? undefined : size;
      return { ...fmt, dataOffset: body, declaredDataSize: declared };
    }
    if (body + size > buf.length) break;
    if (id === 'fmt ') fmt = readFormat(buf.subarray(body, body + size));
    if (id === 'ds64' && size >= 16) ds64DataSize = Number(buf.readBigUInt64LE(body + 8));
    p = body + size + (size & 1); // chunks are padded to even sizes
  }
  if (buf.length >= MAX_WAV_HEADER_BYTES) throw new ArchiveInvalidError(`No WAV data chunk in the recording's first ${MAX_WAV_HEADER_BYTES} bytes.`);
  return needMore(complete, buf);
}

function needMore(complete: boolean, buf: Buffer): undefined {
  if (complete) throw new ArchiveInvalidError(`The recording ends (${buf.length} bytes) before its WAV header does.`);
  return undefined;
}

function readFormat(chunk: Buffer): Omit<WavHeader, 'dataOffset' | 'declaredDataSize'> {
  if (chunk.length < 16) throw new ArchiveInvalidError('The WAV fmt chunk is too short.');
  let formatTag = chunk.readUInt16LE(0);
  if (formatTag === 0xfffe && chunk.length >= 26) formatTag = chunk.readUInt16LE(24);
  const f = {
    formatTag,
    channels: chunk.readUInt16LE(2),
    sampleRate: chunk.readUInt32LE(4),
    byteRate: chunk.readUInt32LE(8),
    blockAlign: chunk.readUInt16LE(12),
    bitsPerSample: chunk.readUInt16LE(14),
  };
  if (f.channels === 0 || f.sampleRate === 0 || f.bitsPerSample === 0)
    throw new ArchiveInvalidError(`The WAV header declares ${f.channels} channels, ${f.sampleRate} Hz, ${f.bitsPerSample} bits: not a playable recording.`);
  if (f.byteRate === 0) f.byteRate = (f.sampleRate * f.channels * f.bitsPerSample) / 8;
  return f;
}

const encodings: Record<number, string> = { 1: 'PCM', 3: 'IEEE_FLOAT', 6: 'ALAW', 7: 'MULAW' };

/** The header as reported to the workflow, with the duration of the bytes actually stored. */
export function describeWav(header: WavHeader, totalBytes: number): { format: string; encoding: string; channels: number; sampleRate: number; bitsPerSample: number; durationSeconds: number } {
  const available = Math.max(0, totalBytes - header.dataOffset);
  const dataBytes = header.declaredDataSize === undefined ? available : Math.min(header.declaredDataSize, available);
  return {
    format: 'WAV',
    encoding: encodings[header.formatTag] ?? `0x${header.formatTag.toString(16)}`,
    channels: header.channels,
    sampleRate: header.sampleRate,
    bitsPerSample: header.bitsPerSample,
    durationSeconds: Math.round((dataBytes / header.byteRate) * 1000) / 1000,
  };
}
