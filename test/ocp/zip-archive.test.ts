import { expect } from 'chai';
import { crc32 } from 'node:zlib';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import fc from 'fast-check';
import yazl from 'yazl';
import unzipper from 'unzipper';
import { archiveLayout, archiveRange } from '../../local/ocp-sim/zip-archive.ts';
import { wavBytes, wavCrc32, wavRange, wavSha256, type RecordingSpec } from '../../local/ocp-sim/recording.ts';
import { crc32Combine, crc32Repeat } from '../../local/ocp-sim/crc32-combine.ts';

const spec: RecordingSpec = { key: 'job-1', channels: 2, sampleRate: 8000, frames: 8000 * 3 + 123 };
const modified = new Date('2026-01-02T03:04:06Z');

function wholeWav(s: RecordingSpec): Buffer {
  return Buffer.concat([...wavRange(s, 0, wavBytes(s))]);
}

async function yazlStored(wav: Buffer, name: string, mtime: Date): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  // yazl encodes DOS time in local time; shift so its local fields equal our UTC fields.
  const shifted = new Date(mtime.getTime() + mtime.getTimezoneOffset() * 60_000);
  zip.addBuffer(wav, name, { compress: false, forceDosTimestamp: true, mtime: shifted });
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

describe('OCP simulator archive', () => {
  it('combines CRC-32s exactly as zlib computes them over the concatenation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 0, max: 9 }), (a, b, times) => {
        expect(crc32Combine(crc32(a), crc32(b), b.length)).to.equal(crc32(Buffer.concat([a, b])));
        const repeated = Buffer.concat(Array.from({ length: times }, () => Buffer.from(b)));
        expect(crc32Repeat(b, times)).to.equal(crc32(repeated));
      }),
    );
  });

  it('knows the WAV CRC without reading it, and it matches the bytes', () => {
    expect(wavCrc32(spec)).to.equal(crc32(wholeWav(spec)));
  });

  it('is byte for byte the archive yazl writes for the same stored entry', async () => {
    const layout = archiveLayout(spec, 'CALL-1.wav', modified);
    const ours = Buffer.concat([...archiveRange(layout, 0, layout.totalSize - 1)]);
    const theirs = await yazlStored(wholeWav(spec), 'CALL-1.wav', modified);
    expect(ours.length).to.equal(layout.totalSize);
    expect(ours.equals(theirs)).to.equal(true);
  });

  it('opens with unzipper, both from the central directory and streaming', async () => {
    const layout = archiveLayout(spec, 'dir/CALL-ü.wav', modified);
    const zip = Buffer.concat([...archiveRange(layout, 0, layout.totalSize - 1)]);
    const wav = wholeWav(spec);
    const directory = await unzipper.Open.buffer(zip);
    expect(directory.files.map((f) => f.path)).to.deep.equal(['dir/CALL-ü.wav']);
    expect((await directory.files[0]!.buffer()).equals(wav)).to.equal(true);

    const streamed: Buffer[] = [];
    const parser = Readable.from([zip]).pipe(unzipper.Parse({ forceStream: true }));
    for await (const entry of parser as AsyncIterable<unzipper.Entry>) {
      streamed.push(await entry.buffer());
    }
    expect(streamed).to.have.length(1);
    expect(createHash('sha256').update(streamed[0]!).digest('hex')).to.equal(await wavSha256(spec));
  });

  it('produces any byte range equal to the same slice of the whole archive', () => {
    const layout = archiveLayout(spec, 'CALL-1.wav', modified);
    const whole = Buffer.concat([...archiveRange(layout, 0, layout.totalSize - 1)]);
    fc.assert(
      fc.property(fc.nat(layout.totalSize - 1), fc.nat(70_000), fc.integer({ min: 1, max: 9000 }), (start, length, chunk) => {
        const end = Math.min(layout.totalSize - 1, start + length);
        const part = Buffer.concat([...archiveRange(layout, start, end, chunk)]);
        expect(part.equals(whole.subarray(start, end + 1))).to.equal(true);
      }),
      { numRuns: 60 },
    );
  });

  it('describes a multi-GB recording without generating it', () => {
    const big: RecordingSpec = { key: 'big', channels: 2, sampleRate: 48_000, frames: 48_000 * 3600 * 5 };
    const layout = archiveLayout(big, 'big.wav', modified);
    expect(layout.totalSize).to.be.greaterThan(3 * 1024 ** 3);
    const tail = Buffer.concat([...archiveRange(layout, layout.totalSize - 22, layout.totalSize - 1)]);
    expect(tail.readUInt32LE(0)).to.equal(0x06054b50);
    expect(tail.readUInt32LE(16)).to.equal(layout.dataOffset + layout.wavSize);
  });
});
