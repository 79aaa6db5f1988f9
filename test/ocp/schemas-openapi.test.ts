import { expect } from 'chai';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import {
  ExportStatusResponse,
  KnownExportStatuses,
  OpenApiComponents,
} from '../../runtime/ocp/schemas.ts';

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
