/**
 * No Docker engine runs here, so the image is checked by construction: the bundle the Dockerfile
 * builds is built the same way and run with plain node, and the Dockerfile's promises (Node 24 slim,
 * non-root, health check, context limited by its .dockerignore) are read from the file itself.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bundleWorker } from '../../container/build.ts';
import { imageRuntime } from '../../container/image-runtime.ts';
import { Env } from '../../system/functions.ts';

const root = join(import.meta.dirname, '..', '..');

describe('container: image and bundle', function () {
  this.timeout(30_000);
  let bundle: { main: string; healthcheck: string };
  const dir = mkdtempSync(join(tmpdir(), 'worker-bundle-'));

  before(async () => {
    bundle = await bundleWorker(dir);
  });

  const run = (file: string, env: Record<string, string>) =>
    spawnSync(process.execPath, [file], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8', cwd: tmpdir() });

  it('runs from the bundle alone and names every missing setting', () => {
    const r = run(bundle.main, {});
    expect(r.status).to.equal(1);
    const line = JSON.parse(r.stdout.trim().split('\n').pop()!) as { level: string; error: { message: string } };
    expect(line.level).to.equal('ERROR');
    for (const name of [Env.workerQueueUrl, Env.bucketName, Env.allowedDownloadHosts]) expect(line.error.message).to.include(name);
  });

  it('health check passes on a fresh health file and fails on a stale, stopped or missing one', () => {
    const file = join(dir, 'health.json');
    const check = () => run(bundle.healthcheck, { [Env.workerHealthFile]: file }).status;
    expect(check()).to.equal(1);
    writeFileSync(file, JSON.stringify({ at: Date.now(), state: 'running', inFlight: 0 }));
    expect(check()).to.equal(0);
    writeFileSync(file, JSON.stringify({ at: Date.now() - 10 * 60_000, state: 'running', inFlight: 0 }));
    expect(check()).to.equal(1);
    writeFileSync(file, JSON.stringify({ at: Date.now(), state: 'stopped', inFlight: 0 }));
    expect(check()).to.equal(1);
  });

  it('Dockerfile: Node 24 slim in both stages, bundle only, non-root, health check, exec-form command', () => {
    const dockerfile = readFileSync(join(root, 'container/Dockerfile'), 'utf8');
    const from = [...dockerfile.matchAll(/^FROM\s+(\S+)/gm)].map((m) => m[1]);
    expect(from).to.deep.equal(['node:24-slim', 'node:24-slim']);
    const finalStage = dockerfile.slice(dockerfile.lastIndexOf('FROM '));
    expect(finalStage).to.match(/^USER node$/m);
    expect(finalStage).to.match(/^HEALTHCHECK .*CMD \["node", "\/app\/healthcheck\.mjs"\]$/m);
    expect(finalStage).to.match(/^CMD \["node", .*"\/app\/main\.mjs"\]$/m);
    // The runtime stage copies the bundle and nothing else: no node_modules, no sources.
    expect([...finalStage.matchAll(/^COPY .*$/gm)].map((m) => m[0])).to.deep.equal(['COPY --from=build --chown=root:root /out/ /app/']);
    expect(dockerfile).to.include('npm ci');
    expect(dockerfile).to.include('node container/build.ts /out');
  });

  it('Dockerfile: the worker runs with a small young generation and one malloc arena (what the download bench measures)', () => {
    const runtime = imageRuntime();
    expect(runtime.nodeFlags).to.deep.equal(['--max-semi-space-size=1']);
    expect(runtime.env).to.include({ MALLOC_ARENA_MAX: '1', NODE_ENV: 'production' });
    // Only the final stage counts, continuation lines are joined, and an ENV the bench could not read is an error.
    const sample = 'FROM a AS build\nENV X=build\nFROM b\nENV A=1 \\\n    B=2\n# ENV C=3\nCMD ["node", "--f", "m.mjs"]\n';
    expect(imageRuntime(sample)).to.deep.equal({ nodeFlags: ['--f'], env: { A: '1', B: '2' } });
    expect(() => imageRuntime('FROM b\nENV A 1\nCMD ["node", "m.mjs"]\n')).to.throw(/use ENV KEY=value/);
    expect(() => imageRuntime('FROM b\nCMD node m.mjs\n')).to.throw(/no exec-form CMD/);
  });

  it('Dockerfile: everything it copies from the context is let through by its .dockerignore', () => {
    const dockerfile = readFileSync(join(root, 'container/Dockerfile'), 'utf8');
    const ignore = readFileSync(join(root, 'container/Dockerfile.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    expect(ignore[ignore.findIndex((l) => l && !l.startsWith('#'))]).to.equal('*');
    const sources = [...dockerfile.matchAll(/^COPY (?!--from)(.+) \S+$/gm)].flatMap((m) => m[1]!.split(/\s+/));
    expect(sources).to.include.members(['package.json', 'package-lock.json', 'system', 'runtime', 'container']);
    for (const source of sources) expect(ignore.some((l) => l === `!${source}` || l === `!${source}/**`), source).to.equal(true);
  });
});
