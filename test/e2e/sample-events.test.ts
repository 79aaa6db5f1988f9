import { expect } from 'chai';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readSampleCalls } from '../../local/mode/sample-events.ts';

describe('sample calls for npm start', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'samples-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('takes SQS batch records and state machine inputs, and skips handler payloads', () => {
    writeFileSync(join(dir, 'a-batch.json'), JSON.stringify({ Records: [{ body: '{"dialogGroupId":"DG-1","callId":"C-1"}' }, { body: 'not json' }] }));
    writeFileSync(join(dir, 'b-input.json'), JSON.stringify({ dialogGroupId: 'DG-2', callId: 'C-2', retryAttempt: 0 }));
    writeFileSync(join(dir, 'c-payload.json'), JSON.stringify({ dialogGroupId: 'DG-3', callId: 'C-3', executionId: 'arn:x', waitPolicy: {} }));
    const calls = readSampleCalls(dir);
    expect(calls.map((c) => [c.source, c.dialogGroupId])).to.deep.equal([
      ['a-batch.json', 'DG-1'],
      ['a-batch.json', undefined],
      ['b-input.json', 'DG-2'],
    ]);
  });

  it('names the file that is not JSON', () => {
    writeFileSync(join(dir, 'broken.json'), '{');
    expect(() => readSampleCalls(dir)).to.throw(/broken\.json is not valid JSON/);
  });

  it("reads the project's events/ folder", () => {
    const calls = readSampleCalls(new URL('../../events', import.meta.url).pathname);
    expect(calls.length).to.be.at.least(1);
    expect(calls.every((c) => c.dialogGroupId && c.callId)).to.equal(true);
  });
});
