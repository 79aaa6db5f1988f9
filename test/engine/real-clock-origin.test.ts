import { expect } from 'chai';
import { RealClock } from '../../local/engine/clock.ts';

describe('RealClock anchored at an origin', () => {
  it('two clocks with the same origin and speed agree, whenever they were created', async () => {
    const origin = Date.now() - 1000;
    const a = new RealClock(50, origin);
    await new Promise((r) => setTimeout(r, 20));
    const b = new RealClock(50, origin);
    expect(Math.abs(a.now() - b.now())).to.be.below(100);
    // One real second since the origin is fifty clock seconds.
    expect(b.now() - origin).to.be.at.least(50_000);
  });

  it('sleep rejects with the abort reason', async () => {
    const clock = new RealClock(10);
    const ac = new AbortController();
    const sleeping = clock.sleep(60_000, ac.signal);
    ac.abort(new Error('stopped'));
    let error: unknown;
    await sleeping.catch((e: unknown) => (error = e));
    expect((error as Error).message).to.equal('stopped');
  });

  it('refuses a non-positive speed', () => {
    expect(() => new RealClock(0, 0)).to.throw(RangeError, /positive/);
  });
});
