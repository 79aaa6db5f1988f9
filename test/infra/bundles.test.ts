import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { BundleError, bundleHandler, cachedBundler, deployBundler, projectRoot, type FunctionBundle } from '../../infra/bundle.ts';
import { writeBundle } from '../../infra/bundle-files.ts';
import { FunctionNames, type FunctionName } from '../../system/functions.ts';
import { HandlerAccessMap } from '../../infra/function-access.ts';
import { one, stackRun } from './support/program.ts';

const run = promisify(execFile);

/**
 * The SDK packages a handler needs, from what its role may do (infra/function-access.ts). Every
 * package a bundle imports is loaded on each cold start whether used or not, so no more than these.
 */
function sdkPackagesFor(name: FunctionName): string[] {
  const access = HandlerAccessMap[name];
  return [
    ...(access.table.length > 0 ? ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'] : []),
    ...(access.sendsTo.length > 0 ? ['@aws-sdk/client-sqs'] : []),
    ...(access.callsOcp ? ['@aws-sdk/client-secrets-manager'] : []),
    ...(access.startsExecutions ? ['@aws-sdk/client-sfn'] : []),
  ].sort();
}
const MaxBundleBytes = 250 * 1024;
// Inside the project (so the runtime-provided @aws-sdk/* resolve from node_modules as from Lambda's runtime), one per process.
const outDir = `${projectRoot}dist/test-bundles-${process.pid}`;

describe('infra: Lambda bundles of the real handlers', () => {
  let bundles: FunctionBundle[];
  before(async function () {
    this.timeout(60_000);
    bundles = await Promise.all(FunctionNames.map((n) => deployBundler(n)));
  });
  after(() => rm(outDir, { recursive: true, force: true }));

  it(`keeps every bundle within ${MaxBundleBytes / 1024} KB minified`, () => {
    for (const b of bundles) expect(Buffer.byteLength(b.code), b.name).to.be.at.most(MaxBundleBytes);
  });

  it('leaves the AWS SDK to the runtime and carries every other dependency inside', () => {
    for (const b of bundles) {
      const imports = [...b.code.matchAll(/\bfrom\s*"([^"]+)"/g)].map((m) => m[1]!);
      for (const specifier of imports) expect(specifier, `${b.name} imports ${specifier}`).to.match(/^(@aws-sdk\/|node:)/);
    }
  });

  it('imports only the SDK clients its handler uses (the services its role may call)', () => {
    for (const b of bundles) {
      const sdk = [...new Set([...b.code.matchAll(/\b(?:from|import)\s*"(@aws-sdk\/[^"/]+)"/g)].map((m) => m[1]!))].sort();
      expect(sdk, b.name).to.deep.equal(sdkPackagesFor(b.name));
    }
    expect(sdkPackagesFor('getExportMetadata')).to.deep.equal(['@aws-sdk/client-secrets-manager']);
  });

  it('loads each bundle in a fresh Node 24 and finds an exported handler function', async function () {
    this.timeout(30_000);
    const files = await Promise.all(bundles.map((b) => writeBundle(outDir, b)));
    const script = `const files = ${JSON.stringify(files.map((f) => pathToFileURL(f).href))};
      const kinds = [];
      for (const f of files) kinds.push(typeof (await import(f)).handler);
      console.log(JSON.stringify({ version: process.version, kinds }));`;
    const { stdout } = await run(`${projectRoot}node_modules/.bin/node`, ['--enable-source-maps', '--input-type=module', '-e', script], { cwd: projectRoot });
    const result = JSON.parse(stdout) as { version: string; kinds: string[] };
    expect(result.version).to.match(/^v24\./);
    expect(result.kinds).to.deep.equal(FunctionNames.map(() => 'function'));
  });

  it('fails bad input with English zod messages, traced to the TypeScript source through the map', async function () {
    this.timeout(30_000);
    const bundle = bundles.find((b) => b.name === 'createExportJob')!;
    expect(bundle.code).to.not.include('Ungültige');
    const file = await writeBundle(outDir, bundle);
    const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(file).href)});
      try { await handler({ callId: 'C' }, {}); console.log('{}'); }
      catch (e) { console.log(JSON.stringify({ name: e.name, message: e.message, stack: e.stack })); }`;
    const env = { ...process.env, TABLE_NAME: 't', RECORD_TTL_DAYS: '3', OCP_BASE_URL: 'http://127.0.0.1:9', OCP_TOKEN_SECRET_ARN: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:x', AWS_REGION: 'eu-west-1' };
    const { stdout } = await run(`${projectRoot}node_modules/.bin/node`, ['--enable-source-maps', '--input-type=module', '-e', script], { cwd: projectRoot, env });
    const error = JSON.parse(stdout.trim().split('\n').pop()!) as { name: string; message: string; stack: string };
    expect(error.name).to.equal('InvalidInputError');
    expect(error.message).to.include('dialogGroupId: Invalid input: expected string, received undefined');
    expect(error.stack).to.match(/runtime\/[\w/-]+\.ts:\d+/);
  });

  it('starts every handler with exactly the environment the stack gives it', async function () {
    this.timeout(60_000);
    const program = await stackRun('dev');
    const files = await Promise.all(bundles.map((b) => writeBundle(outDir, b)));
    const outcomes: Record<string, string> = {};
    await Promise.all(
      bundles.map(async (b, i) => {
        const deployed = (one(program, 'aws:lambda/function:Function', `${b.name}-function`).inputs.environment as { variables: Record<string, string> }).variables;
        // What Lambda adds itself; no AWS call happens before the event is parsed.
        const env = { PATH: process.env.PATH ?? '', ...deployed, AWS_REGION: 'eu-west-1', AWS_ACCESS_KEY_ID: 'x', AWS_SECRET_ACCESS_KEY: 'x' };
        const event = b.name === 'trigger' ? '{ Records: [] }' : '{}';
        const script = `const { handler } = await import(${JSON.stringify(pathToFileURL(files[i]!).href)});
          try { console.log(JSON.stringify(await handler(${event}, {}))); } catch (e) { console.log(e.name); }`;
        const { stdout } = await run(`${projectRoot}node_modules/.bin/node`, ['--input-type=module', '-e', script], { cwd: projectRoot, env });
        outcomes[b.name] = stdout.trim().split('\n').pop()!;
      }),
    );
    // A missing or malformed variable would surface as EnvironmentError before the event is looked at.
    expect(outcomes).to.deep.equal(Object.fromEntries(FunctionNames.map((n) => [n, n === 'trigger' ? '{"batchItemFailures":[]}' : 'InvalidInputError'])));
  });

  it('names the function and the file when a handler cannot be bundled, and retries after a failure', async () => {
    const emptyRoot = `${await mkdtemp(`${tmpdir()}/h6-no-handlers-`)}/`;
    let calls = 0;
    const bundler = cachedBundler((name) => {
      calls++;
      return bundleHandler(name, emptyRoot);
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const error = await bundler('trigger').then(() => undefined, (e: unknown) => e);
      expect(error).to.be.instanceOf(BundleError);
      expect((error as Error).message).to.include("Cannot bundle the 'trigger' Lambda from runtime/handlers/trigger.ts");
    }
    expect(calls, 'a failed bundle is not cached').to.equal(2);
    await rm(emptyRoot, { recursive: true, force: true });
  });
});
