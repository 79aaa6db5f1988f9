/** Builds small WAV files for tests: PCM samples from a seeded generator, so bytes are reproducible. */
export interface WavSpec {
  seconds: number;
  sampleRate?: number;
  channels?: number;
  bitsPerSample?: number;
  /** Override the data chunk's declared size (streaming writers leave 0 or 0xFFFFFFFF). */
  declaredDataSize?: number;
  /** Extra chunk before fmt, to exercise chunk walking (odd size tests the pad byte). */
  listChunkBytes?: number;
  formatTag?: number;
}

export function makeWav(spec: WavSpec): Buffer {
  const sampleRate = spec.sampleRate ?? 8000;
  const channels = spec.channels ?? 1;
  const bits = spec.bitsPerSample ?? 16;
  const dataBytes = Math.round(spec.seconds * sampleRate) * channels * (bits / 8);
  const list = spec.listChunkBytes ?? 0;
  const listTotal = list > 0 ? 8 + list + (list & 1) : 0;
  const header = Buffer.alloc(12 + listTotal + 24 + 8);
  let p = 0;
  header.write('RIFF', p);
  header.writeUInt32LE(header.length - 8 + dataBytes, 4);
  header.write('WAVE', 8);
  p = 12;
  if (list > 0) {
    header.write('LIST', p);
    header.writeUInt32LE(list, p + 4);
    p += listTotal;
  }
  header.write('fmt ', p);
  header.writeUInt32LE(16, p + 4);
  header.writeUInt16LE(spec.formatTag ?? 1, p + 8);
  header.writeUInt16LE(channels, p + 10);
  header.writeUInt32LE(sampleRate, p + 12);
  header.writeUInt32LE((sampleRate * channels * bits) / 8, p + 16);
  header.writeUInt16LE((channels * bits) / 8, p + 20);
  header.writeUInt16LE(bits, p + 22);
  p += 24;
  header.write('data', p);
  header.writeUInt32LE(spec.declaredDataSize ?? dataBytes, p + 4);
  const data = Buffer.alloc(dataBytes);
  let x = 0x12345678;
  for (let i = 0; i + 4 <= dataBytes; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    data.writeInt32LE(x | 0, i);
  }
  return Buffer.concat([header, data]);
}
