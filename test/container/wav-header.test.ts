import { expect } from 'chai';
import { ArchiveInvalidError } from '../../container/src/errors.ts';
import { describeWav, parseWavHeader } from '../../container/src/wav-header.ts';
import { makeWav } from './support/wav.ts';

describe('container: WAV header', () => {
  it('reads format, channels, rate, bits and the duration of a PCM recording', () => {
    const wav = makeWav({ seconds: 2.5, sampleRate: 16000, channels: 2, bitsPerSample: 16 });
    const header = parseWavHeader(wav)!;
    expect(describeWav(header, wav.length)).to.deep.equal({
      format: 'WAV',
      encoding: 'PCM',
      channels: 2,
      sampleRate: 16000,
      bitsPerSample: 16,
      durationSeconds: 2.5,
    });
  });

  it('asks for more bytes until the data chunk header has arrived', () => {
    const wav = makeWav({ seconds: 1, listChunkBytes: 101 });
    expect(parseWavHeader(wav.subarray(0, 40))).to.equal(undefined);
    expect(parseWavHeader(wav.subarray(0, 12 + 8 + 102 + 24 + 8))?.dataOffset).to.equal(12 + 8 + 102 + 24 + 8);
  });

  it('walks past an odd-sized chunk using its pad byte', () => {
    const wav = makeWav({ seconds: 1, sampleRate: 8000, listChunkBytes: 7 });
    const header = parseWavHeader(wav)!;
    expect(header.sampleRate).to.equal(8000);
    expect(describeWav(header, wav.length).durationSeconds).to.equal(1);
  });

  it('measures the bytes actually stored when a streaming writer left the data size unset', () => {
    for (const declared of [0, 0xffffffff]) {
      const wav = makeWav({ seconds: 3, declaredDataSize: declared });
      expect(describeWav(parseWavHeader(wav)!, wav.length).durationSeconds).to.equal(3);
    }
  });

  it('caps the duration at the bytes stored when the header claims more', () => {
    const wav = makeWav({ seconds: 1, declaredDataSize: 8000 * 2 * 60 });
    expect(describeWav(parseWavHeader(wav)!, wav.length).durationSeconds).to.equal(1);
  });

  it('names mu-law and A-law encodings', () => {
    expect(describeWav(parseWavHeader(makeWav({ seconds: 1, formatTag: 7, bitsPerSample: 8 }))!, 8044).encoding).to.equal('MULAW');
    expect(describeWav(parseWavHeader(makeWav({ seconds: 1, formatTag: 6, bitsPerSample: 8 }))!, 8044).encoding).to.equal('ALAW');
  });

  it('refuses a file that is not RIFF/WAVE, and one that ends inside its header', () => {
    expect(() => parseWavHeader(Buffer.from('ID3\u0004 not a wav file at all'))).to.throw(ArchiveInvalidError, /not a WAV/);
    expect(() => parseWavHeader(makeWav({ seconds: 1 }).subarray(0, 30), true)).to.throw(ArchiveInvalidError, /ends/);
  });

  it('refuses a header with zero channels', () => {
    expect(() => parseWavHeader(makeWav({ seconds: 1, channels: 0 }))).to.throw(ArchiveInvalidError, /0 channels/);
  });
});
