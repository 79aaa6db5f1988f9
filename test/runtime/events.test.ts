import { expect } from 'chai';
import { readdirSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import {
  CheckExportStatusInput,
  ConsolidateInput,
  CreateExportJobInput,
  DownloadTask,
  GetExportMetadataInput,
  NotifyDownloadInput,
  ReconciliationRequest,
} from '../../runtime/contracts.ts';
import { TriggerEvent } from '../../runtime/handlers/trigger.ts';
import { parseReconciliationMessage } from '../../runtime/trigger/reconciliation-message.ts';
import { FunctionNames, type FunctionName } from '../../system/functions.ts';

const eventsDir = new URL('../../events/', import.meta.url);
const read = (file: string): unknown => JSON.parse(readFileSync(new URL(file, eventsDir), 'utf8'));

const handlerSchemas: Record<FunctionName, z.ZodType> = {
  trigger: TriggerEvent,
  createExportJob: CreateExportJobInput,
  checkExportStatus: CheckExportStatusInput,
  getExportMetadata: GetExportMetadataInput,
  notifyDownloadService: NotifyDownloadInput,
  consolidateReconciliation: ConsolidateInput,
};

describe('sample events in events/', () => {
  for (const name of FunctionNames) {
    it(`${name}.json parses with the ${name} handler's schema`, () => {
      const r = handlerSchemas[name].safeParse(read(`${name}.json`));
      expect(r.success, r.error?.message).to.equal(true);
    });
  }

  it("trigger.json carries message bodies the trigger accepts", () => {
    const event = TriggerEvent.parse(read('trigger.json'));
    expect(event.Records.length).to.be.greaterThan(1);
    for (const record of event.Records) expect(parseReconciliationMessage(record.body).ok, record.body).to.equal(true);
  });

  it('state-machine-input.json and download-task.json match their contracts exactly', () => {
    const input = read('state-machine-input.json');
    expect(ReconciliationRequest.parse(input)).to.deep.equal(input);
    const task = read('download-task.json');
    expect(DownloadTask.parse(task)).to.deep.equal(task);
  });

  it('has no sample without a schema', () => {
    const known = new Set([...FunctionNames.map((n) => `${n}.json`), 'state-machine-input.json', 'download-task.json']);
    const stray = readdirSync(eventsDir).filter((f) => !known.has(f));
    expect(stray).to.deep.equal([]);
  });
});
