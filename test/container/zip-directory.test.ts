import { expect } from 'chai';
import { ArchiveInvalidError, TooLargeError } from '../../container/src/errors.ts';
import { TAIL_BYTES, assertSafeName, locateDirectory, parseDirectory, selectRecording, type ZipLimits } from '../../container/src/zip-directory.ts';
import { makeWav } from './support/wav.ts';
import { makeZip, patchDeclaredSize, renameEntry } from './support/zip.ts';

const limits: ZipLimits = { maxEntries: 4, maxUncompressedBytes: 10 * 1024 * 1024, maxCompressionRatio: 100 };

function read(zip: Buffer, l: ZipLimits = limits) {
  const tailStart = Math.max(0, zip.length - TAIL_BYTES);
  const tail = zip.subarray(tailStart);
  const loc = locateDirectory(tail, tailStart, zip.length);
  const entries = parseDirectory(zip.subarray(loc.offset, loc.offset + loc.size), loc, l);
  return { loc, entries, select: () => selectRecording(entries, loc.offset, l) };
}

describe('container: ZIP directory', () => {
  it('finds the single recording among other entries, with its sizes and region', async () => {
    const wav = makeWav({ seconds: 1 });
    const zip = await makeZip([
      { name: 'manifest.json', data: Buffer.from('{"ok":true}') },
      { name: 'export/CALL-1.wav', data: wav, compress: true },
    ]);
    const { loc, entries, select } = read(zip);
    expect(entries.map((e) => e.name)).to.deep.equal(['manifest.json', 'export/CALL-1.wav']);
    const rec = select();
    expect(rec).to.include({ name: 'export/CALL-1.wav', compressionMethod: 8, uncompressedSize: wav.length });
    expect(rec.regionEnd).to.equal(loc.offset);
  });

  it('reads sizes from the directory when the entry was streamed with a data descriptor', async () => {
    const wav = makeWav({ seconds: 1 });
    const { select } = read(await makeZip([{ name: 'a.wav', data: wav, streamed: true }]));
    expect(select()).to.include({ compressedSize: wav.length, uncompressedSize: wav.length });
  });

  it('refuses path traversal and absolute names (zip slip)', async () => {
    for (const name of ['../../etc/passwd.wav', '/abs/x.wav', 'a/../../b.wav', 'C:\\x.wav', '..\\x.wav'])
      expect(() => assertSafeName(name), name).to.throw(ArchiveInvalidError, /unsafe entry name/);
    const zip = renameEntry(
      await makeZip([
        { name: 'ok.wav', data: makeWav({ seconds: 1 }) },
        { name: 'x/aa/aa/aa/evil.sh', data: Buffer.from('#!/bin/sh') },
      ]),
      'x/aa/aa/aa/evil.sh',
      'x/../../../evil.sh',
    );
    expect(() => read(zip).select()).to.throw(ArchiveInvalidError, /unsafe entry name/);
  });

  it('refuses more entries than allowed before reading them', async () => {
    const items = Array.from({ length: 5 }, (_, i) => ({ name: `f${i}.txt`, data: Buffer.from('x') }));
    const zip = await makeZip(items);
    expect(() => read(zip)).to.throw(ArchiveInvalidError, /5 entries; at most 4/);
  });

  it('refuses an absurd compression ratio (zip bomb)', async () => {
    const zeros = Buffer.alloc(8 * 1024 * 1024);
    const zip = await makeZip([{ name: 'bomb.wav', data: zeros, compress: true }]);
    expect(() => read(zip).select()).to.throw(ArchiveInvalidError, /compression ratio of \d+:1/);
  });

  it('refuses a recording over the uncompressed size cap as TooLarge', async () => {
    const zip = await makeZip([{ name: 'big.wav', data: makeWav({ seconds: 10 }) }]);
    expect(() => read(zip, { ...limits, maxUncompressedBytes: 50_000 }).select()).to.throw(TooLargeError, /MAX_UNCOMPRESSED_BYTES/);
  });

  it('requires exactly one .wav entry', async () => {
    expect(() => read(makeZipSync([])).select()).to.throw();
    const none = await makeZip([{ name: 'notes.txt', data: Buffer.from('x') }]);
    expect(() => read(none).select()).to.throw(ArchiveInvalidError, /no \.wav recording/);
    const two = await makeZip([
      { name: 'a.wav', data: makeWav({ seconds: 1 }) },
      { name: 'b.WAV', data: makeWav({ seconds: 1 }) },
    ]);
    expect(() => read(two).select()).to.throw(ArchiveInvalidError, /2 \.wav entries/);
  });

  it('refuses stored entries whose declared sizes disagree', async () => {
    const zip = patchDeclaredSize(await makeZip([{ name: 'a.wav', data: makeWav({ seconds: 1 }) }]), 1234);
    expect(() => read(zip).select()).to.throw(ArchiveInvalidError, /different compressed and uncompressed/);
  });

  it('refuses something that is not a ZIP at all', () => {
    expect(() => locateDirectory(Buffer.from('<html>expired</html>'), 0, 20)).to.throw(ArchiveInvalidError, /not a ZIP/);
  });
});

function makeZipSync(_items: never[]): Buffer {
  // An empty archive is just its end record.
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  return eocd;
}
