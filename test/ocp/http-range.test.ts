import { expect } from 'chai';
import fc from 'fast-check';
import { decideRange } from '../../local/ocp-sim/http-range.ts';

const etag = '"e1"';

describe('OCP simulator Range decisions', () => {
  it('serves any single satisfiable range as asked, clamped to the end', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 40 }), fc.nat(), fc.nat(), (size, a, b) => {
        const start = a % size;
        const end = start + (b % (size * 2));
        expect(decideRange(`bytes=${start}-${end}`, undefined, etag, size)).to.deep.equal({
          kind: 'partial',
          start,
          end: Math.min(end, size - 1),
        });
        expect(decideRange(`bytes=${start}-`, etag, etag, size)).to.deep.equal({ kind: 'partial', start, end: size - 1 });
      }),
    );
  });

  it('answers suffix ranges, and refuses ranges that start past the end', () => {
    expect(decideRange('bytes=-10', undefined, etag, 100)).to.deep.equal({ kind: 'partial', start: 90, end: 99 });
    expect(decideRange('bytes=-1000', undefined, etag, 100)).to.deep.equal({ kind: 'partial', start: 0, end: 99 });
    expect(decideRange('bytes=-0', undefined, etag, 100)).to.deep.equal({ kind: 'unsatisfiable' });
    expect(decideRange('bytes=100-', undefined, etag, 100)).to.deep.equal({ kind: 'unsatisfiable' });
  });

  it('falls back to the whole archive for what it does not serve as a range', () => {
    for (const header of ['bytes=0-1,5-6', 'items=0-1', 'bytes=5-1', 'bytes=-', 'bytes=a-b', '']) {
      expect(decideRange(header, undefined, etag, 100), header).to.deep.equal({ kind: 'full' });
    }
    expect(decideRange(undefined, undefined, etag, 100)).to.deep.equal({ kind: 'full' });
    expect(decideRange('bytes=0-1', '"stale"', etag, 100)).to.deep.equal({ kind: 'full' });
  });
});
