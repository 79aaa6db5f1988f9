import { expect } from 'chai';
import fc from 'fast-check';
import { ExecutionNamePattern, MaxExecutionNameLength, executionName } from '../../runtime/trigger/execution-name.ts';
import { Table } from '../../system/resources.ts';
import { hostileId } from './hostile-ids.ts';

const identity = fc.record({ dialogGroupId: hostileId, callId: hostileId, retryAttempt: fc.nat({ max: 1_000_000 }) });

describe('execution names', () => {
  it('are valid AWS execution names (<= 80 chars, safe characters) for any ids', () => {
    fc.assert(
      fc.property(identity, (call) => {
        const name = executionName(call);
        expect(name.length).to.be.at.most(MaxExecutionNameLength);
        expect(name).to.match(ExecutionNamePattern);
      }),
      { numRuns: 500 },
    );
  });

  it('are deterministic: a duplicate delivery gets the same name', () => {
    fc.assert(
      fc.property(identity, (call) => {
        expect(executionName({ ...call })).to.equal(executionName(call));
      }),
    );
  });

  it('never collide for distinct calls, even when the readable part sanitises to the same text', () => {
    fc.assert(
      fc.property(fc.uniqueArray(identity, { minLength: 2, maxLength: 50, selector: (c) => JSON.stringify(c) }), (calls) => {
        const names = new Set(calls.map(executionName));
        expect(names.size).to.equal(calls.length);
      }),
    );
    const a = executionName({ dialogGroupId: 'a_b', callId: 'c', retryAttempt: 0 });
    const b = executionName({ dialogGroupId: 'a', callId: 'b_c', retryAttempt: 0 });
    const c = executionName({ dialogGroupId: 'a#b', callId: 'c', retryAttempt: 0 });
    expect(new Set([a, b, c]).size).to.equal(3);
    expect(executionName({ dialogGroupId: 'x', callId: 'y', retryAttempt: 1 })).not.to.equal(executionName({ dialogGroupId: 'x', callId: 'y', retryAttempt: 0 }));
  });

  it('keep the ids readable when they are plain', () => {
    expect(executionName({ dialogGroupId: 'DG-2024-001234', callId: 'CALL-5678-ABCD', retryAttempt: 2 })).to.match(
      /^DG-2024-001234_CALL-5678-ABCD-r2-[0-9a-f]{20}$/,
    );
    expect(executionName({ dialogGroupId: '😀😀', callId: '###', retryAttempt: 0 })).to.match(/^r0-[0-9a-f]{20}$/);
  });

  it('reject a retryAttempt that is not a non-negative integer with a clear error', () => {
    expect(() => executionName({ dialogGroupId: 'a', callId: 'b', retryAttempt: -1 })).to.throw(RangeError, /retryAttempt/);
    expect(() => executionName({ dialogGroupId: 'a', callId: 'b', retryAttempt: 1.5 })).to.throw(RangeError, /retryAttempt/);
  });
});

describe('table keys', () => {
  it('map distinct dialog groups to distinct partition keys in the same sort key', () => {
    fc.assert(
      fc.property(fc.uniqueArray(hostileId, { minLength: 2, maxLength: 30 }), (ids) => {
        const keys = ids.map((id) => Table.key(id));
        expect(new Set(keys.map((k) => k.PK)).size).to.equal(ids.length);
        for (const k of keys) expect(k.SK).to.equal('RECONCILIATION');
      }),
    );
  });
});
