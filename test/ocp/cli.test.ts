import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('npm run ocp-sim (standalone simulator)', function () {
  this.timeout(30_000);

  it('listens on loopback with a scenario file, logs requests as JSON lines and stops on SIGTERM', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocp-sim-cli-'));
    const scenarioFile = join(dir, 'scenario.json');
    await writeFile(scenarioFile, JSON.stringify({ byCallIdPrefix: { 'SLOW-': { jobDuration: { kind: 'fixed', seconds: 3600 } } } }));
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'local/ocp-sim/cli.ts', '--port', '0', '--seed', '9', '--scenario', scenarioFile],
      { cwd: new URL('../..', import.meta.url), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const lines: Record<string, unknown>[] = [];
    const reader = createInterface({ input: child.stdout! });
    // Several lines can arrive in one chunk: collect every one, then look for the wanted type.
    reader.on('line', (line) => {
      lines.push(JSON.parse(line) as Record<string, unknown>);
      reader.emit('collected');
    });
    const next = async (type: string) => {
      for (;;) {
        const found = lines.find((l) => l.type === type);
        if (found) return found;
        await once(reader, 'collected');
      }
    };
    try {
      const listening = await next('listening');
      const baseUrl = listening.baseUrl as string;
      expect(baseUrl).to.match(/^http:\/\/127\.0\.0\.1:\d+$/);
      const created = await fetch(`${baseUrl}/v1/exports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${listening.token as string}`, 'content-type': 'application/json' },
        body: JSON.stringify({ dialogGroupId: 'DG', callId: 'SLOW-1', requestedAt: '2026-01-01T00:00:00Z' }),
      });
      const { exportJobId } = (await created.json()) as { exportJobId: string };
      const status = await fetch(`${baseUrl}/v1/exports/${exportJobId}?dialogGroupId=DG`, {
        headers: { authorization: `Bearer ${listening.token as string}` },
      });
      expect(((await status.json()) as { status: string }).status).to.equal('IN_PROGRESS');
      const request = await next('request');
      expect(request).to.include({ endpoint: 'create', status: 201, callId: 'SLOW-1' });
      expect(JSON.stringify(lines)).to.not.include('authorization');
      child.kill('SIGTERM');
      const stopping = await next('stopping');
      expect((stopping.stats as { requests: { create: number } }).requests.create).to.equal(1);
      const [code] = (await once(child, 'exit')) as [number];
      expect(code).to.equal(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });

  it('refuses an invalid scenario file naming the bad field', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'ocp-sim-cli-'));
    const scenarioFile = join(dir, 'bad.json');
    await writeFile(scenarioFile, JSON.stringify({ scenario: { eta: { mode: 'psychic' } } }));
    const child = spawn(process.execPath, ['--import', 'tsx', 'local/ocp-sim/cli.ts', '--port', '0', '--scenario', scenarioFile], {
      cwd: new URL('../..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
    const [code] = (await once(child, 'exit')) as [number];
    expect(code).to.equal(1);
    expect(stderr).to.include('scenario.eta.mode');
  });
});
