import { expect } from 'chai';
import { isAlive } from '../../local/services/kill-on-exit.ts';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { childService } from '../../local/mode/child-service.ts';

async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`gave up waiting for ${what}`);
}

describe('child processes of local mode', function () {
  this.timeout(30_000);
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'child-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('waits for the ready line, restarts after SIGKILL, and stops with SIGTERM', async () => {
    const entry = join(dir, 'child.ts');
    writeFileSync(entry, "process.stdout.write(`READY ${process.pid}\\n`); setInterval(() => undefined, 1000); process.on('SIGTERM', () => process.exit(0));\n");
    const child = childService({ name: 'probe', entry, env: { PATH: process.env.PATH ?? '' }, logFile: join(dir, 'probe.log'), readyLine: /^READY (\d+)$/ });
    const first = await child.start();
    expect(Number(first?.[1])).to.equal(child.pid());
    const firstPid = child.pid()!;
    child.kill('SIGKILL');
    await child.exited();
    expect(isAlive(firstPid)).to.equal(false);
    await child.start();
    expect(child.starts()).to.equal(2);
    expect(child.pid()).to.not.equal(firstPid);
    const secondPid = child.pid()!;
    await child.stop();
    expect(isAlive(secondPid)).to.equal(false);
    expect(readFileSync(join(dir, 'probe.log'), 'utf8')).to.contain(`READY ${firstPid}`);
  });

  it('a child outlives no parent: when local mode is SIGKILLed its children stop by themselves', async () => {
    // A parent that starts a child through childService, prints the child's pid, then waits to be killed.
    const entry = join(dir, 'grandchild.ts');
    writeFileSync(entry, "process.stdout.write(`READY ${process.pid}\\n`); setInterval(() => undefined, 1000);\n");
    const parentScript = join(dir, 'parent.mts');
    const childServiceUrl = new URL('../../local/mode/child-service.ts', import.meta.url).href;
    writeFileSync(
      parentScript,
      `import { childService } from ${JSON.stringify(childServiceUrl)};
const c = childService({ name: 'grandchild', entry: ${JSON.stringify(entry)}, env: { PATH: process.env.PATH ?? '' }, logFile: ${JSON.stringify(join(dir, 'gc.log'))}, readyLine: /^READY (\\d+)$/ });
await c.start();
process.stdout.write('CHILD ' + c.pid() + '\\n');
setInterval(() => undefined, 1000);
`,
    );
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const parent = spawn(process.execPath, ['--import', tsx, parentScript], { stdio: ['ignore', 'pipe', 'inherit'], cwd: fileURLToPath(new URL('../..', import.meta.url)) });
    let out = '';
    parent.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await until(() => /CHILD (\d+)/.test(out), 'the parent to report its child');
    const childPid = Number(/CHILD (\d+)/.exec(out)![1]);
    expect(isAlive(childPid)).to.equal(true);
    parent.kill('SIGKILL');
    await until(() => !isAlive(childPid), 'the orphaned child to exit');
  });
});

describe('reaper for processes Node does not own', function () {
  this.timeout(30_000);

  it('kills its targets once the watched process is gone', async () => {
    const target = spawn('sleep', ['60'], { stdio: 'ignore' });
    const watched = spawn('sleep', ['60'], { stdio: 'ignore' });
    const tsx = createRequire(import.meta.url).resolve('tsx');
    const reaper = spawn(process.execPath, ['--import', tsx, fileURLToPath(new URL('../../local/mode/reaper.ts', import.meta.url)), String(watched.pid), String(target.pid)], { stdio: 'ignore' });
    try {
      // Started or not yet, the reaper must end up killing the target once the watched process is gone.
      expect(isAlive(target.pid!)).to.equal(true);
      watched.kill('SIGKILL');
      await until(() => target.exitCode !== null || target.signalCode !== null, 'the target to be killed');
      expect(target.signalCode).to.equal('SIGKILL');
    } finally {
      target.kill('SIGKILL');
      watched.kill('SIGKILL');
      reaper.kill('SIGKILL');
    }
  });
});
