/**
 * A stand-in for the Pulumi engine's two gRPC services (ResourceMonitor and Engine), so the
 * nodejs language host's own run harness (`@pulumi/pulumi/cmd/run`) can start index.ts exactly as
 * `pulumi up` does, in a child process, without the CLI or a cloud. Resources get the same
 * AWS-shaped state as the in-process mocks; the stack's outputs and the engine log are recorded.
 */
import * as grpc from '@grpc/grpc-js';
import { createRequire } from 'node:module';
import * as pulumiRpc from '@pulumi/pulumi/runtime/rpc.js';
import type { Struct } from 'google-protobuf/google/protobuf/struct_pb.js';
import { calls, stateFor, type MockedResource } from './pulumi-mocks.ts';

// The generated gRPC stubs are CommonJS without type declarations worth importing.
const require = createRequire(import.meta.url);
/* eslint-disable @typescript-eslint/no-explicit-any */
const resourceGrpc = require('@pulumi/pulumi/proto/resource_grpc_pb.js') as any;
const resourcePb = require('@pulumi/pulumi/proto/resource_pb.js') as any;
const engineGrpc = require('@pulumi/pulumi/proto/engine_grpc_pb.js') as any;
const enginePb = require('@pulumi/pulumi/proto/engine_pb.js') as any;
const { Struct: StructClass } = require('google-protobuf/google/protobuf/struct_pb.js') as any;
const { Empty } = require('google-protobuf/google/protobuf/empty_pb.js') as any;
/* eslint-enable @typescript-eslint/no-explicit-any */

type Callback = (err: Error | null, value?: unknown) => void;
type Handler = (call: { request: any }, cb: Callback) => void; // eslint-disable-line @typescript-eslint/no-explicit-any

export interface FakeEngine {
  address: string;
  resources: MockedResource[];
  /** Outputs registered on the stack resource: the program's exports. */
  stackOutputs: () => Record<string, unknown> | undefined;
  /** Messages the program logged through the engine (errors included). */
  log: { severity: number; message: string }[];
  close(): Promise<void>;
}

export async function startFakeEngine(project: string, stack: string): Promise<FakeEngine> {
  const resources: MockedResource[] = [];
  const log: FakeEngine['log'] = [];
  const outputs = new Map<string, Record<string, unknown>>();
  let root = '';

  const safe = (fn: (req: any) => Promise<unknown> | unknown): Handler => (call, cb) => { // eslint-disable-line @typescript-eslint/no-explicit-any
    Promise.resolve()
      .then(() => fn(call.request))
      .then((v) => cb(null, v), (err: Error) => cb(err));
  };
  const toStruct = async (value: Record<string, unknown>): Promise<Struct> => StructClass.fromJavaScript(await pulumiRpc.serializeProperties('', value));

  const monitor: Record<string, Handler> = {
    // Output values stay off, as with setMocks, so inputs arrive resolved.
    supportsFeature: safe((req) => {
      const resp = new resourcePb.SupportsFeatureResponse();
      resp.setHassupport(req.getId() !== 'outputValues');
      return resp;
    }),
    registerPackage: safe(() => {
      const resp = new resourcePb.RegisterPackageResponse();
      resp.setRef('fake-engine-package');
      return resp;
    }),
    registerResource: safe(async (req) => {
      const type: string = req.getType();
      const name: string = req.getName();
      const inputs = pulumiRpc.deserializeProperties(req.getObject()) as Record<string, unknown>;
      const { id, state } = stateFor({ type, name, inputs, custom: req.getCustom() } as never);
      const parent: string = req.getParent();
      const qualified = parent ? `${parent.split('::')[2]!.split('$').pop()}$${type}` : type;
      const urn = `urn:pulumi:${stack}::${project}::${qualified}::${name}`;
      resources.push({ type, name, inputs, state });
      const resp = new resourcePb.RegisterResourceResponse();
      resp.setUrn(urn);
      resp.setId(req.getCustom() ? id : '');
      resp.setObject(await toStruct(state));
      return resp;
    }),
    registerResourceOutputs: safe((req) => {
      outputs.set(req.getUrn(), pulumiRpc.deserializeProperties(req.getOutputs()) as Record<string, unknown>);
      return new Empty();
    }),
    invoke: safe(async (req) => {
      const token: string = req.getTok();
      const handler = calls[token];
      if (!handler) throw new Error(`fake engine: no result for invoke ${token}`);
      const resp = new resourcePb.ResourceInvokeResponse();
      resp.setReturn(await toStruct(handler(pulumiRpc.deserializeProperties(req.getArgs()) as Record<string, unknown>)));
      return resp;
    }),
  };
  const engine: Record<string, Handler> = {
    log: safe((req) => {
      log.push({ severity: req.getSeverity(), message: req.getMessage() });
      return new Empty();
    }),
    getRootResource: safe(() => {
      const resp = new enginePb.GetRootResourceResponse();
      resp.setUrn(root);
      return resp;
    }),
    setRootResource: safe((req) => {
      root = req.getUrn();
      return new enginePb.SetRootResourceResponse();
    }),
  };

  const server = new grpc.Server();
  server.addService(resourceGrpc.ResourceMonitorService, monitor as grpc.UntypedServiceImplementation);
  server.addService(engineGrpc.EngineService, engine as grpc.UntypedServiceImplementation);
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync('127.0.0.1:0', grpc.ServerCredentials.createInsecure(), (err, p) => (err ? reject(err) : resolve(p))),
  );
  return {
    address: `127.0.0.1:${port}`,
    resources,
    log,
    stackOutputs: () => outputs.get(root),
    close: () => new Promise<void>((resolve) => server.tryShutdown(() => resolve())),
  };
}
