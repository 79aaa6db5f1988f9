import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  CreateExportJobResponse,
  ExportMetadataResponse,
  ExportStatusResponse,
  KnownExportStatuses,
  OcpErrorBody,
  OpenApiComponents,
} from '../../runtime/ocp/schemas.ts';
import { startOcpSimulator } from '../../local/ocp-sim/index.ts';

type Json = Record<string, unknown>;
const doc = parse(readFileSync(new URL('../../docs/ocp-openapi.yaml', import.meta.url), 'utf8')) as Json;

function resolveRef(ref: string): unknown {
  expect(ref, `external $ref ${ref}`).to.match(/^#\//);
  let node: unknown = doc;
  for (const part of ref.slice(2).split('/')) {
    node = (node as Json | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  expect(node, `dangling $ref ${ref}`).to.not.equal(undefined);
  return node;
}

/**
 * The comparable part of a schema: types, consts/enums, string formats and bounds, required fields
 * and properties. Zod's safe-integer bound and date-time pattern are implementation detail.
 */
function shape(node: unknown): Json {
  let schema = node as Json;
  while (typeof schema.$ref === 'string') schema = resolveRef(schema.$ref) as Json;
  const out: Json = {};
  if (schema.type !== undefined) out.type = schema.type;
  const constant = schema.const ?? (Array.isArray(schema.enum) && schema.enum.length === 1 ? schema.enum[0] : undefined);
  if (constant !== undefined) out.const = constant;
  else if (Array.isArray(schema.enum)) out.enum = [...schema.enum].sort();
  for (const key of ['format', 'minimum', 'minLength', 'maxLength'] as const) {
    if (schema[key] !== undefined) out[key] = schema[key];
  }
  if (schema.maximum !== undefined && schema.maximum !== Number.MAX_SAFE_INTEGER) out.maximum = schema.maximum;
  if (schema.properties !== undefined) {
    out.required = [...((schema.required as string[] | undefined) ?? [])].sort();
    out.properties = Object.fromEntries(
      Object.entries(schema.properties as Json)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([name, sub]) => [name, shape(sub)]),
    );
  }
  return out;
}

const components = (doc.components as Json).schemas as Json;

describe('OCP contract: zod schemas vs docs/ocp-openapi.yaml', () => {
  it('is an OpenAPI 3.1 document whose every $ref resolves', () => {
    expect(doc.openapi).to.equal('3.1.0');
    const walk = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(walk);
      if (node && typeof node === 'object') {
        for (const [key, value] of Object.entries(node)) {
          if (key === '$ref') resolveRef(value as string);
          else walk(value);
        }
      }
    };
    walk(doc);
  });

  for (const [name, schema] of Object.entries(OpenApiComponents)) {
    it(`${name}: same fields, required fields, types, enums and bounds`, () => {
      expect(components[name], `components.schemas.${name} is missing`).to.be.an('object');
      const fromZod = shape(z.toJSONSchema(schema, { io: 'output', unrepresentable: 'any' }));
      expect(fromZod).to.deep.equal(shape(components[name]));
    });
  }

  it('the comparison notices drift (a dropped required field, a changed type)', () => {
    const fromZod = shape(z.toJSONSchema(OpenApiComponents.ExportCompleted, { io: 'output' }));
    const documented = structuredClone(components.ExportCompleted) as Json;
    (documented.required as string[]).pop();
    expect(fromZod).to.not.deep.equal(shape(documented));
    const retyped = structuredClone(components.ExportCompleted) as { properties: { fileSize: Json } };
    retyped.properties.fileSize.type = 'number';
    expect(fromZod).to.not.deep.equal(shape(retyped));
  });

  it('documents exactly the statuses the code knows, and the code still accepts any other', () => {
    const status = components.ExportStatus as { oneOf: Json[]; discriminator: { mapping: Json } };
    const documented = status.oneOf.map((variant) => (shape(variant).properties as Json).status as Json).map((s) => s.const);
    expect([...documented].sort()).to.deep.equal([...KnownExportStatuses].sort());
    expect(Object.keys(status.discriminator.mapping).sort()).to.deep.equal([...KnownExportStatuses].sort());
    expect(ExportStatusResponse.parse({ exportJobId: 'exp_1', status: 'ARCHIVED', extra: 1 })).to.include({ status: 'ARCHIVED' });
    expect(ExportStatusResponse.safeParse({ exportJobId: 'exp_1', status: 'COMPLETED' }).success).to.equal(false);
  });

  it('wires each operation to its body schemas, X-Request-Id on every response, Retry-After on 429', () => {
    const paths = doc.paths as Record<string, Record<string, Json>>;
    const bodyRef = (op: Json, code: string, type = 'application/json') => {
      let response = (op.responses as Json)[code] as Json;
      while (typeof response.$ref === 'string') response = resolveRef(response.$ref) as Json;
      return ((response.content as Json)[type] as Json).schema as Json;
    };
    expect(bodyRef(paths['/v1/exports']!.post!, '201').$ref).to.equal('#/components/schemas/CreateExportJobResponse');
    const createBody = ((paths['/v1/exports']!.post!.requestBody as Json).content as Json)['application/json'] as Json;
    expect((createBody.schema as Json).$ref).to.equal('#/components/schemas/CreateExportJobRequest');
    expect(bodyRef(paths['/v1/exports/{exportJobId}']!.get!, '200').$ref).to.equal('#/components/schemas/ExportStatus');
    expect(bodyRef(paths['/v1/exports/{exportJobId}/metadata']!.get!, '200').$ref).to.equal('#/components/schemas/ExportMetadataResponse');
    expect(Object.keys((paths['/v1/exports/{exportJobId}/download']!.get!.responses as Json))).to.include.members(['200', '206', '416']);

    for (const [path, item] of Object.entries(paths)) {
      for (const [method, op] of Object.entries(item)) {
        if (method === 'parameters') continue;
        for (const [code, raw] of Object.entries(op.responses as Json)) {
          let response = raw as Json;
          while (typeof response.$ref === 'string') response = resolveRef(response.$ref) as Json;
          const headers = Object.keys((response.headers as Json | undefined) ?? {});
          if (method !== 'head') expect(headers, `${method} ${path} ${code}`).to.include('X-Request-Id');
          if (code === '429') expect(headers, `${method} ${path} 429`).to.include('Retry-After');
        }
      }
    }
  });
});

describe('OCP contract: the simulator answers only as documented', () => {
  it('uses only documented status codes per operation, with JSON error bodies carrying the request id', async () => {
    let now = Date.parse('2026-05-01T00:00:00Z');
    const token = 'contract-token';
    const sim = await startOcpSimulator({
      token,
      clock: { now: () => now },
      scenario: { jobDuration: { kind: 'fixed', seconds: 5 }, recording: { duration: { kind: 'fixed', seconds: 1 } } },
      byCallIdPrefix: {
        'FAIL-': { outcome: { kind: 'fail' } },
        'ODD-': { outcome: { kind: 'unknownStatus', status: 'ARCHIVED' } },
        'FAULTS-': {
          faults: [
            { kind: 'throttle', times: 1, retryAfterSeconds: 0 },
            { kind: 'serverError', status: 500, times: 1 },
            { kind: 'serverError', status: 502, times: 1 },
            { kind: 'serverError', status: 503, times: 1, retryAfterSeconds: 0 },
            { kind: 'serverError', status: 504, times: 1 },
          ],
        },
      },
    });
    const dg = 'DG-CONTRACT';
    const call = async (method: string, path: string, init: { body?: unknown; headers?: Record<string, string> } = {}) => {
      const response = await fetch(`${sim.baseUrl}${path}`, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...init.headers },
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
      const requestId = response.headers.get('x-request-id');
      expect(requestId, `${method} ${path}`).to.be.a('string');
      const text = await response.text();
      if (response.status >= 400 && method !== 'HEAD') {
        expect(OcpErrorBody.parse(JSON.parse(text)).requestId).to.equal(requestId);
      }
      return { status: response.status, text };
    };
    const create = (callId: string, headers: Record<string, string> = {}) =>
      call('POST', '/v1/exports', { body: { dialogGroupId: dg, callId, requestedAt: '2026-05-01T00:00:00Z' }, headers });
    try {
      const ids: string[] = [];
      for (const callId of ['OK-1', 'FAIL-1', 'ODD-1']) {
        ids.push(CreateExportJobResponse.parse(JSON.parse((await create(callId, { 'idempotency-key': callId })).text)).exportJobId);
      }
      await create('OK-1', { 'idempotency-key': 'OK-1' });
      await create('OK-2', { 'idempotency-key': 'OK-1' });
      await create('', {});
      await create('OK-3', { authorization: 'Bearer nope' });
      for (let i = 0; i < 6; i++) await create('FAULTS-1');
      const [ok, failed, odd] = ids as [string, string, string];
      await call('GET', `/v1/exports/${ok}?dialogGroupId=${dg}`);
      await call('GET', `/v1/exports/${ok}/download`);
      now += 10_000;
      for (const id of ids) {
        ExportStatusResponse.parse(JSON.parse((await call('GET', `/v1/exports/${id}?dialogGroupId=${dg}`)).text));
      }
      ExportMetadataResponse.parse(JSON.parse((await call('GET', `/v1/exports/${ok}/metadata?dialogGroupId=${dg}`)).text));
      await call('GET', `/v1/exports/${failed}/metadata?dialogGroupId=${dg}`);
      await call('GET', `/v1/exports/${odd}/download`);
      await call('GET', `/v1/exports/${ok}`);
      await call('GET', `/v1/exports/missing?dialogGroupId=${dg}`);
      await call('GET', `/v1/exports/${ok}/download`);
      await call('HEAD', `/v1/exports/${ok}/download`);
      await call('GET', `/v1/exports/${ok}/download`, { headers: { range: 'bytes=10-20' } });
      await call('GET', `/v1/exports/${ok}/download`, { headers: { range: 'bytes=999999999-' } });
      await call('GET', `/v1/exports/${ok}/download?expires=1&signature=00`);

      const paths = doc.paths as Record<string, Record<string, { responses: Json }>>;
      const operation = { create: '/v1/exports', status: '/v1/exports/{exportJobId}', metadata: '/v1/exports/{exportJobId}/metadata', download: '/v1/exports/{exportJobId}/download' };
      const seen = new Set<string>();
      for (const entry of sim.log()) {
        expect(entry.endpoint, entry.path).to.not.equal('other');
        const op = paths[operation[entry.endpoint as keyof typeof operation]]![entry.method.toLowerCase()]!;
        expect(Object.keys(op.responses), `${entry.method} ${entry.path} answered ${entry.status}`).to.include(String(entry.status));
        seen.add(`${entry.endpoint}:${entry.status}`);
      }
      // The run really covered the interesting answers.
      expect([...seen]).to.include.members([
        'create:201', 'create:400', 'create:401', 'create:409', 'create:429', 'create:500', 'create:502', 'create:503', 'create:504',
        'status:200', 'status:400', 'status:404', 'metadata:200', 'metadata:409',
        'download:200', 'download:206', 'download:403', 'download:409', 'download:416',
      ]);
    } finally {
      await sim.stop();
    }
  });
});
