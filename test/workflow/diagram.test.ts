import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ReadmeMarkers, reconciliationMermaid } from '../../workflow/graph.ts';

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');

describe('state machine diagram', () => {
  const mermaid = reconciliationMermaid('dev').trimEnd();

  it('is generated from the ASL and shows every state and failure route', () => {
    for (const name of ['CreateExportJob', 'EvaluateExportStatus', 'DownloadAndDescribe', 'NotifyDownloadService', 'RecordFailure', 'ReconciliationFailed']) {
      expect(mermaid).to.contain(name);
    }
    expect(mermaid).to.contain('DownloadAndDescribe -.->|FAILED_DOWNLOAD_TIMEOUT| RecordFailure');
    expect(mermaid).to.contain('CreateExportJob -.->|AlreadyReconciledError| AlreadyReconciled');
  });

  it('is up to date in docs/state-machine.md and the README (run npm run graph after changing the workflow)', () => {
    expect(read('../../docs/state-machine.md')).to.contain(mermaid);
    const readme = read('../../README.md');
    const block = readme.slice(readme.indexOf(ReadmeMarkers.begin), readme.indexOf(ReadmeMarkers.end));
    expect(block).to.contain(mermaid);
  });
});
