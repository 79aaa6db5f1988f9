import { expect } from 'chai';
import fc from 'fast-check';
import { nextWaitSeconds, secondsUntil } from '../../runtime/wait/next-wait.ts';
import type { WaitPolicy } from '../../runtime/contracts.ts';

const adaptive: WaitPolicy = { kind: 'adaptive', fixedSeconds: 300, minSeconds: 30, maxSeconds: 900 };

describe('next wait', () => {
  it('is fixedSeconds under the fixed policy, whatever OCP estimates', () => {
    expect(nextWaitSeconds({ ...adaptive, kind: 'fixed', fixedSeconds: 1200 }, 5)).to.equal(1200);
  });

  it('follows the estimate under the adaptive policy, clamped to [min, max] and rounded up', () => {
    expect(nextWaitSeconds(adaptive, 120.2)).to.equal(121);
    expect(nextWaitSeconds(adaptive, 5)).to.equal(30);
    expect(nextWaitSeconds(adaptive, -40)).to.equal(30);
    expect(nextWaitSeconds(adaptive, 10_000)).to.equal(900);
  });

  it('falls back to fixedSeconds clamped when OCP gives no estimate', () => {
    expect(nextWaitSeconds(adaptive, undefined)).to.equal(300);
    expect(nextWaitSeconds({ ...adaptive, fixedSeconds: 5000 }, undefined)).to.equal(900);
    expect(nextWaitSeconds(adaptive, Number.NaN)).to.equal(300);
  });

  it('is always a whole number of seconds within [min, max]', () => {
    fc.assert(
      fc.property(fc.option(fc.double(), { nil: undefined }), (estimate) => {
        const s = nextWaitSeconds(adaptive, estimate);
        expect(Number.isInteger(s)).to.equal(true);
        expect(s).to.be.within(30, 900);
      }),
    );
  });

  it('reads seconds until an ISO timestamp, or nothing for a bad one', () => {
    const now = new Date('2026-01-01T00:00:00Z');
    expect(secondsUntil('2026-01-01T00:02:00Z', now)).to.equal(120);
    expect(secondsUntil('soon', now)).to.equal(undefined);
    expect(secondsUntil(undefined, now)).to.equal(undefined);
  });
});
