import { expect } from 'chai';
import fc from 'fast-check';
import { executionInput, parseReconciliationMessage } from '../../runtime/trigger/reconciliation-message.ts';
import { ReconciliationRequest } from '../../runtime/contracts.ts';
import { hostileId, validId } from './hostile-ids.ts';

describe('trigger message parsing', () => {
  it('never throws: any body parses or is rejected with a reason', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.string({ unit: 'binary' })), (body) => {
        const r = parseReconciliationMessage(body);
        if (!r.ok) expect(r.reason).to.be.a('string').and.not.equal('');
      }),
      { numRuns: 500 },
    );
  });

  it('accepts hostile but valid ids and keeps them byte for byte in the execution input', () => {
    fc.assert(
      fc.property(validId, validId, fc.nat({ max: 100 }), (dialogGroupId, callId, retryAttempt) => {
        const r = parseReconciliationMessage(JSON.stringify({ dialogGroupId, callId, retryAttempt }));
        expect(r.ok).to.equal(true);
        if (!r.ok) return;
        const input = JSON.parse(executionInput(r.request));
        expect(input).to.deep.equal({ dialogGroupId, callId, retryAttempt, source: 'RECONCILIATION_QUEUE' });
        expect(ReconciliationRequest.parse(input)).to.deep.equal(input);
      }),
      { numRuns: 300 },
    );
  });

  it('rejects ids the contract cannot hold, naming the field', () => {
    fc.assert(
      fc.property(hostileId.filter((s) => s.length > 256 || !s.isWellFormed()), (bad) => {
        const r = parseReconciliationMessage(JSON.stringify({ dialogGroupId: bad, callId: 'C' }));
        expect(r.ok).to.equal(false);
        if (!r.ok) expect(r.reason).to.contain('dialogGroupId');
      }),
    );
    const lone = parseReconciliationMessage('{"dialogGroupId":"\\ud800","callId":"C"}');
    expect(lone.ok).to.equal(false);
    if (!lone.ok) expect(lone.reason).to.contain('unpaired UTF-16 surrogate');
  });

  it('builds the same input from a duplicate delivery, whatever the key order or extra fields', () => {
    const a = parseReconciliationMessage('{"dialogGroupId":"DG","callId":"C","retryAttempt":1,"originalTimestamp":"2024-01-01T00:00:00Z"}');
    const b = parseReconciliationMessage('{"originalTimestamp":"2024-01-01T00:00:00Z","retryAttempt":1,"callId":"C","dialogGroupId":"DG","junk":{"x":1}}');
    if (!a.ok || !b.ok) throw new Error('both bodies are valid');
    expect(executionInput(a.request)).to.equal(executionInput(b.request));
    expect(JSON.parse(executionInput(a.request))).not.to.have.property('junk');
  });

  it('explains each kind of bad body', () => {
    const cases: Array<[string, RegExp]> = [
      ['not json', /not JSON/],
      ['[]', /\(root\)/],
      ['{"callId":"C"}', /dialogGroupId/],
      ['{"dialogGroupId":"D","callId":""}', /callId/],
      ['{"dialogGroupId":"D","callId":"C","retryAttempt":-1}', /retryAttempt/],
      ['{"dialogGroupId":"D","callId":"C","originalTimestamp":"yesterday"}', /originalTimestamp/],
      ['{"dialogGroupId":{"$ne":null},"callId":"C"}', /dialogGroupId/],
    ];
    for (const [body, reason] of cases) {
      const r = parseReconciliationMessage(body);
      expect(r.ok, body).to.equal(false);
      if (!r.ok) expect(r.reason, body).to.match(reason);
    }
  });
});
