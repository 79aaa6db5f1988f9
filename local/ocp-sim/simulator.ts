/**
 * A simulated OCP export API on 127.0.0.1 (contract: docs/ocp-openapi.yaml) that behaves like a real,
 * imperfect third-party service: jobs take time, fail, never finish or report statuses nobody expects;
 * requests are throttled, fail, stall or come back as broken JSON; downloads are real ZIP archives
 * served with Range support, at a set bandwidth, and sometimes cut mid-body.
 *
 * Job progress follows the injected clock (the local engine's sped-up or virtual clock), while
 * throttle windows, slow responses and bandwidth use real time, because the client waiting on them
 * does so in real time.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { timingSafeEqual } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { CreateExportJobRequest } from '../../runtime/ocp/schemas.ts';
import { randomFor } from './prng.ts';
import { ScenarioBook, type Endpoint, type Fault, type FaultKind, type ScenarioPatch, type ScenarioTarget } from './scenario.ts';
import { estimatedCompletionTime, jobState, newJob, reportedMetadata, type ExportJob } from './jobs.ts';
import { archiveLayout, type ArchiveLayout } from './zip-archive.ts';
import { sleep, streamArchive } from './archive-stream.ts';
import { FaultPlan } from './fault-plan.ts';
import { TokenBucket, type RateLimitOptions } from './rate-limit.ts';
import { UrlSigner } from './signed-url.ts';
import { BitsPerSample, durationSeconds, wavSha256 } from './recording.ts';
import { decideRange } from './http-range.ts';

export interface OcpSimulatorOptions {
  /** 0 or absent: a free port. */
  port?: number;
  /** Bearer token the API expects. */
  token?: string;
  seed?: number | string;
  /** Drives job progress; epoch ms. Real time by default. */
  clock?: { now(): number };
  /** The run's scenario (patched over the built-in defaults). */
  scenario?: ScenarioPatch;
  /** Scenarios for calls whose callId starts with a key (the longest match wins). */
  byCallIdPrefix?: Record<string, ScenarioPatch>;
  /** Scenarios for single calls. */
  byCallId?: Record<string, ScenarioPatch>;
  /** Global token bucket on API requests (not downloads), real time. */
  rateLimit?: RateLimitOptions;
  /** Key for the signed download URLs. */
  signingKey?: string;
  /** Entries kept in the request log (oldest dropped first). */
  logLimit?: number;
  /** Called with every request log entry, e.g. to print JSON lines. */
  onRequest?: (entry: OcpRequestLogEntry) => void;
}

export interface OcpRequestLogEntry {
  seq: number;
  requestId: string;
  /** Real time, ISO. */
  at: string;
  method: string;
  /** Path without the query string (which may hold a URL signature). */
  path: string;
  endpoint: Endpoint | 'other';
  exportJobId?: string;
  callId?: string;
  status: number;
  /** The fault injected, if any. */
  fault?: FaultKind | 'throttleWindow' | 'rateLimit';
  /** Requested range, as sent. */
  range?: string;
  bytes: number;
  /** The connection was cut on purpose mid-body. */
  dropped?: boolean;
  durationMs: number;
}

export interface OcpSimulatorStats {
  requests: Record<Endpoint | 'other', number>;
  responsesByStatus: Record<string, number>;
  faults: Partial<Record<FaultKind | 'throttleWindow' | 'rateLimit', number>>;
  /** Requests that came back for a throttled resource before its Retry-After elapsed. */
  earlyRetries: number;
  jobsCreated: number;
  idempotentReplays: number;
  downloads: { started: number; completed: number; dropped: number; ranged: number };
  bytesServed: number;
}

export interface ExpectedRecording {
  exportJobId: string;
  entryName: string;
  format: 'WAV';
  channels: number;
  sampleRate: number;
  bitsPerSample: number;
  frames: number;
  durationSeconds: number;
  wavBytes: number;
  archiveBytes: number;
  crc32: number;
  /** SHA-256 of the WAV entry (hex); absent when asked for without it (it costs a pass over the WAV). */
  sha256?: string;
  /** What GET /metadata reports (differs from the above when the scenario says so). */
  reportedMetadata: ReturnType<typeof reportedMetadata>;
}

export interface OcpSimulator {
  baseUrl: string;
  port: number;
  stop(): Promise<void>;
  stats(): OcpSimulatorStats;
  log(): OcpRequestLogEntry[];
  /** Changes the run's scenario, or one callId prefix's, or one call's; affects jobs created afterwards. */
  setScenario(patch: ScenarioPatch, target?: ScenarioTarget): void;
  /** The recording an export job will deliver (throws for an unknown job). */
  expectedRecording(exportJobId: string, options?: { withSha256?: boolean }): Promise<ExpectedRecording>;
  /** The job, for tests that need to look inside. */
  job(exportJobId: string): Readonly<ExportJob> | undefined;
}

export const DefaultOcpToken = 'ocp-sim-token';
const MaxBodyBytes = 64 * 1024;

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

interface RequestContext {
  /** Set by a `lostResponse` fault: the work is done, the answer never leaves. */
  loseResponse?: boolean;
  requestId: string;
  entry: OcpRequestLogEntry;
  started: number;
  closed: AbortSignal;
}

export async function startOcpSimulator(options: OcpSimulatorOptions = {}): Promise<OcpSimulator> {
  const seed = options.seed ?? 1;
  const token = options.token ?? DefaultOcpToken;
  const clock = options.clock ?? { now: () => Date.now() };
  const signingKey = options.signingKey ?? `ocp-sim-signing-${seed}`;
  const logLimit = options.logLimit ?? 50_000;

  const scenarios = new ScenarioBook();
  if (options.scenario) scenarios.set(options.scenario);
  for (const [prefix, patch] of Object.entries(options.byCallIdPrefix ?? {})) scenarios.set(patch, { callIdPrefix: prefix });
  for (const [callId, patch] of Object.entries(options.byCallId ?? {})) scenarios.set(patch, { callId });

  const jobs = new Map<string, ExportJob>();
  const byIdempotencyKey = new Map<string, ExportJob>();
  const layouts = new Map<string, ArchiveLayout>();
  const sha256s = new Map<string, Promise<string>>();
  const requestLog: OcpRequestLogEntry[] = [];
  let createSequence = 0;
  let requestSeq = 0;

  const stats: OcpSimulatorStats = {
    requests: { create: 0, status: 0, metadata: 0, download: 0, other: 0 },
    responsesByStatus: {},
    faults: {},
    earlyRetries: 0,
    jobsCreated: 0,
    idempotentReplays: 0,
    downloads: { started: 0, completed: 0, dropped: 0, ranged: 0 },
    bytesServed: 0,
  };

  const bucket = options.rateLimit ? new TokenBucket(options.rateLimit) : undefined;
  const faultPlan = new FaultPlan(seed);
  const signer = new UrlSigner(signingKey);

  let baseUrl = '';
  const sockets = new Set<Socket>();
  const server: Server = createServer((req, res) => {
    void handle(req, res);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });

  function countFault(kind: FaultKind | 'throttleWindow' | 'rateLimit'): void {
    stats.faults[kind] = (stats.faults[kind] ?? 0) + 1;
  }

  function sendJson(res: ServerResponse, ctx: RequestContext, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (ctx.loseResponse) {
      res.socket?.destroy();
      return;
    }
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
    ctx.entry.bytes = Buffer.byteLength(text);
  }

  function sendError(res: ServerResponse, ctx: RequestContext, failure: HttpFailure): void {
    sendJson(res, ctx, failure.status, { code: failure.code, message: failure.message, requestId: ctx.requestId }, failure.headers);
  }

  function checkAuth(req: IncomingMessage): void {
    const header = req.headers.authorization ?? '';
    const presented = header.startsWith('Bearer ') ? header.slice(7) : '';
    const a = Buffer.from(presented);
    const b = Buffer.from(token);
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new HttpFailure(401, 'UNAUTHORIZED', 'Missing or invalid bearer token.', {
        'www-authenticate': 'Bearer realm="ocp-export"',
      });
    }
  }

  function downloadUrl(job: ExportJob): string {
    const expires = Math.floor(clock.now() / 1000) + job.scenario.download.urlTtlSeconds;
    const query = new URLSearchParams({ expires: String(expires), signature: signer.sign(job.exportJobId, expires) });
    return `${baseUrl}/v1/exports/${encodeURIComponent(job.exportJobId)}/download?${query}`;
  }

  /** The download accepts either the bearer token or a valid, unexpired signature (a pre-signed URL). */
  function checkDownloadAuth(req: IncomingMessage, url: URL, exportJobId: string): void {
    const sig = url.searchParams.get('signature');
    const expires = Number(url.searchParams.get('expires'));
    if (sig === null) return checkAuth(req);
    if (!signer.verify(exportJobId, expires, sig)) {
      throw new HttpFailure(403, 'INVALID_SIGNATURE', 'The download URL signature is not valid; ask OCP for a fresh download URL.');
    }
    if (clock.now() / 1000 > expires) {
      throw new HttpFailure(403, 'DOWNLOAD_URL_EXPIRED', 'The download URL has expired; poll the export job again for a fresh one.');
    }
  }

  /**
   * Applies a fault that replaces the response. Returns true when the response is done; `slow`
   * only delays (then the normal answer follows), and the two body faults are applied by the caller.
   */
  async function applyFault(
    fault: Fault | undefined,
    res: ServerResponse,
    ctx: RequestContext,
    windowKey: string,
  ): Promise<boolean> {
    if (!fault) return false;
    ctx.entry.fault = fault.kind;
    countFault(fault.kind);
    switch (fault.kind) {
      case 'throttle':
        faultPlan.openWindow(windowKey, fault.retryAfterSeconds);
        sendError(res, ctx, new HttpFailure(429, 'TOO_MANY_REQUESTS', 'Rate limit exceeded; retry after the indicated delay.', {
          'retry-after': String(fault.retryAfterSeconds),
        }));
        return true;
      case 'serverError': {
        const headers: Record<string, string> = {};
        if (fault.retryAfterSeconds !== undefined) {
          headers['retry-after'] = String(fault.retryAfterSeconds);
          faultPlan.openWindow(windowKey, fault.retryAfterSeconds);
        }
        const code = { 500: 'INTERNAL_ERROR', 502: 'BAD_GATEWAY', 503: 'SERVICE_UNAVAILABLE', 504: 'GATEWAY_TIMEOUT' }[fault.status];
        sendError(res, ctx, new HttpFailure(fault.status, code, 'The export service failed to process the request.', headers));
        return true;
      }
      case 'reset':
        res.socket?.destroy();
        return true;
      case 'lostResponse':
        ctx.loseResponse = true;
        return false;
      case 'slow':
        await sleep(fault.delayMs, ctx.closed);
        return ctx.closed.aborted;
      case 'malformedJson':
      case 'schemaBreak':
        return false;
    }
  }

  function bodyFault(ctx: RequestContext, res: ServerResponse, fault: Fault | undefined, broken: unknown): boolean {
    if (fault?.kind === 'malformedJson') {
      const text = '{"exportJobId": "exp_';
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
      ctx.entry.bytes = text.length;
      return true;
    }
    if (fault?.kind === 'schemaBreak') {
      sendJson(res, ctx, 200, broken);
      return true;
    }
    return false;
  }

  /** A request for a resource still inside its throttle window gets another 429 and is counted. */
  function checkThrottleWindow(windowKey: string, res: ServerResponse, ctx: RequestContext): boolean {
    const early = faultPlan.earlyBy(windowKey);
    if (early === undefined) return false;
    stats.earlyRetries++;
    countFault('throttleWindow');
    ctx.entry.fault = 'throttleWindow';
    sendError(res, ctx, new HttpFailure(429, 'TOO_MANY_REQUESTS', 'Retried before Retry-After elapsed.', {
      'retry-after': String(Math.ceil(early / 1000)),
    }));
    return true;
  }

  async function readJsonBody(req: IncomingMessage): Promise<unknown> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MaxBodyBytes) throw new HttpFailure(413, 'PAYLOAD_TOO_LARGE', `Request bodies are limited to ${MaxBodyBytes} bytes.`);
      chunks.push(chunk);
    }
    try {
      return JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      throw new HttpFailure(400, 'INVALID_JSON', 'The request body is not valid JSON.');
    }
  }

  function findJob(exportJobId: string, dialogGroupId: string | null): ExportJob {
    const job = jobs.get(exportJobId);
    // A job asked for under another dialog group is reported as unknown: ids do not leak across groups.
    if (!job || (dialogGroupId !== null && dialogGroupId !== job.dialogGroupId)) {
      throw new HttpFailure(404, 'EXPORT_JOB_NOT_FOUND', `No export job ${exportJobId} for this dialog group.`);
    }
    return job;
  }

  function requireDialogGroup(url: URL): string {
    const value = url.searchParams.get('dialogGroupId');
    if (!value) throw new HttpFailure(400, 'MISSING_DIALOG_GROUP_ID', 'The dialogGroupId query parameter is required.');
    return value;
  }

  async function handleCreate(req: IncomingMessage, res: ServerResponse, ctx: RequestContext): Promise<void> {
    checkAuth(req);
    const parsed = CreateExportJobRequest.safeParse(await readJsonBody(req));
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
      throw new HttpFailure(400, 'INVALID_REQUEST', `Invalid export request: ${problems}`);
    }
    const body = parsed.data;
    ctx.entry.callId = body.callId;
    const key = req.headers['idempotency-key'];
    const idempotencyKey = typeof key === 'string' && key.length > 0 ? key : undefined;
    if (idempotencyKey && idempotencyKey.length > 255) {
      throw new HttpFailure(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key is limited to 255 characters.');
    }
    const scenario = scenarios.resolve(body.callId);
    const faultKey = `call:${body.dialogGroupId}|${body.callId}`;
    if (checkThrottleWindow(`${faultKey}|create`, res, ctx)) return;
    const fault = faultPlan.pick(faultKey, 'create', scenario.faults);
    if (await applyFault(fault, res, ctx, `${faultKey}|create`)) return;

    let job = idempotencyKey ? byIdempotencyKey.get(idempotencyKey) : undefined;
    let status = 201;
    const headers: Record<string, string> = {};
    if (job) {
      if (job.dialogGroupId !== body.dialogGroupId || job.callId !== body.callId) {
        throw new HttpFailure(409, 'IDEMPOTENCY_KEY_REUSED', 'This Idempotency-Key was used for another call; use one key per call.');
      }
      stats.idempotentReplays++;
      headers['idempotent-replayed'] = 'true';
      status = 201;
    } else {
      job = newJob({
        seed,
        dialogGroupId: body.dialogGroupId,
        callId: body.callId,
        requestedAt: body.requestedAt,
        idempotencyKey,
        sequence: createSequence++,
        now: clock.now(),
        scenario,
      });
      jobs.set(job.exportJobId, job);
      if (idempotencyKey) byIdempotencyKey.set(idempotencyKey, job);
      stats.jobsCreated++;
    }
    ctx.entry.exportJobId = job.exportJobId;
    if (bodyFault(ctx, res, fault, { exportJobId: 12345, status: 'created' })) return;
    const eta = estimatedCompletionTime(job);
    sendJson(
      res,
      ctx,
      status,
      { exportJobId: job.exportJobId, status: 'CREATED', ...(eta ? { estimatedCompletionTime: eta } : {}) },
      { ...headers, location: `/v1/exports/${encodeURIComponent(job.exportJobId)}` },
    );
  }

  async function handleStatus(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, url: URL, exportJobId: string): Promise<void> {
    checkAuth(req);
    const job = findJob(exportJobId, requireDialogGroup(url));
    ctx.entry.callId = job.callId;
    const windowKey = `job:${exportJobId}|status`;
    if (checkThrottleWindow(windowKey, res, ctx)) return;
    const fault = faultPlan.pick(`job:${exportJobId}`, 'status', job.scenario.faults);
    if (await applyFault(fault, res, ctx, windowKey)) return;
    if (bodyFault(ctx, res, fault, { exportJobId, status: 'COMPLETED', fileSize: 'large' })) return;
    const state = jobState(job, clock.now(), job.polls++);
    switch (state.status) {
      case 'IN_PROGRESS':
        return sendJson(res, ctx, 200, { exportJobId, ...state });
      case 'COMPLETED':
        return sendJson(res, ctx, 200, {
          exportJobId,
          status: 'COMPLETED',
          downloadUrl: downloadUrl(job),
          fileSize: layoutOf(job).totalSize,
          completedAt: state.completedAt,
        });
      case 'FAILED':
        return sendJson(res, ctx, 200, { exportJobId, status: 'FAILED', errorMessage: state.errorMessage });
      case 'OTHER':
        return sendJson(res, ctx, 200, { exportJobId, status: state.reported });
    }
  }

  async function handleMetadata(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, url: URL, exportJobId: string): Promise<void> {
    checkAuth(req);
    const job = findJob(exportJobId, requireDialogGroup(url));
    ctx.entry.callId = job.callId;
    const windowKey = `job:${exportJobId}|metadata`;
    if (checkThrottleWindow(windowKey, res, ctx)) return;
    const fault = faultPlan.pick(`job:${exportJobId}`, 'metadata', job.scenario.faults);
    if (await applyFault(fault, res, ctx, windowKey)) return;
    if (bodyFault(ctx, res, fault, { exportJobId, metadata: { duration: 'long', channels: 0 } })) return;
    if (jobState(job, clock.now(), job.polls).status === 'FAILED') {
      throw new HttpFailure(409, 'EXPORT_FAILED', 'The export job failed; there is no recording to describe.');
    }
    sendJson(res, ctx, 200, { exportJobId, metadata: reportedMetadata(job) });
  }

  function layoutOf(job: ExportJob): ArchiveLayout {
    let layout = layouts.get(job.exportJobId);
    if (!layout) {
      layout = archiveLayout(job.recording, job.entryName, new Date(job.createdAt + job.durationMs));
      layouts.set(job.exportJobId, layout);
    }
    return layout;
  }

  async function handleDownload(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, url: URL, exportJobId: string): Promise<void> {
    checkDownloadAuth(req, url, exportJobId);
    const job = findJob(exportJobId, url.searchParams.get('dialogGroupId'));
    ctx.entry.callId = job.callId;
    const windowKey = `job:${exportJobId}|download`;
    if (checkThrottleWindow(windowKey, res, ctx)) return;
    const fault = faultPlan.pick(`job:${exportJobId}`, 'download', job.scenario.faults);
    if (await applyFault(fault, res, ctx, windowKey)) return;
    const state = jobState(job, clock.now(), job.polls);
    if (state.status !== 'COMPLETED') {
      throw new HttpFailure(409, 'EXPORT_NOT_READY', `The export job is ${state.status === 'OTHER' ? state.reported : state.status}; download it once COMPLETED.`);
    }
    const options = job.scenario.download;
    const layout = layoutOf(job);
    const etag = `"${job.exportJobId}-${layout.crc32.toString(16)}-${layout.totalSize}"`;
    const common = {
      'accept-ranges': 'bytes',
      etag,
      'last-modified': new Date(job.createdAt + job.durationMs).toUTCString(),
      'content-disposition': `attachment; filename="${job.exportJobId}.zip"`,
    };
    if (options.corruption === 'not-zip') {
      const page = '<html><body><h1>Export storage temporarily unavailable</h1></body></html>';
      res.writeHead(200, { 'content-type': 'application/zip', 'content-length': page.length });
      res.end(req.method === 'HEAD' ? undefined : page);
      ctx.entry.bytes = req.method === 'HEAD' ? 0 : page.length;
      return;
    }
    const rangeHeader = req.headers.range;
    ctx.entry.range = rangeHeader;
    const ifRange = typeof req.headers['if-range'] === 'string' ? req.headers['if-range'] : undefined;
    const decision = decideRange(rangeHeader, ifRange, etag, layout.totalSize);
    if (decision.kind === 'unsatisfiable') {
      throw new HttpFailure(416, 'RANGE_NOT_SATISFIABLE', `The archive is ${layout.totalSize} bytes.`, {
        'content-range': `bytes */${layout.totalSize}`,
      });
    }
    const start = decision.kind === 'partial' ? decision.start : 0;
    const end = decision.kind === 'partial' ? decision.end : layout.totalSize - 1;
    const headers: Record<string, string | number> = {
      ...common,
      'content-type': 'application/zip',
      'content-length': end - start + 1,
    };
    if (decision.kind === 'partial') headers['content-range'] = `bytes ${start}-${end}/${layout.totalSize}`;
    res.writeHead(decision.kind === 'partial' ? 206 : 200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    stats.downloads.started++;
    if (decision.kind === 'partial') stats.downloads.ranged++;
    const responseIndex = job.downloadResponses++;
    const dropAfter =
      options.dropAfterBytes !== undefined && responseIndex < options.drops ? options.dropAfterBytes : undefined;
    // The byte flipped for `crc` corruption: the middle of the audio, so headers still parse.
    const corruptAt = options.corruption === 'crc' ? layout.dataOffset + Math.floor(layout.wavSize / 2) : -1;
    const sent = await streamArchive(res, ctx.closed, layout, start, end, {
      bandwidth: options.bandwidthBytesPerSecond,
      dropAfter,
      corruptAt,
      ...(options.stallAfterBytes !== undefined && options.stallMs > 0
        ? { stall: { afterBytes: options.stallAfterBytes, ms: options.stallMs } }
        : {}),
    }, (count) => {
      stats.bytesServed += count;
    });
    ctx.entry.bytes = sent.bytes;
    if (sent.dropped) {
      ctx.entry.dropped = true;
      stats.downloads.dropped++;
    } else if (sent.bytes === end - start + 1) {
      stats.downloads.completed++;
    }
  }

  async function route(req: IncomingMessage, res: ServerResponse, ctx: RequestContext, url: URL): Promise<void> {
    let parts: string[];
    try {
      parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
    } catch {
      throw new HttpFailure(400, 'INVALID_PATH', 'The request path is not valid percent-encoding.');
    }
    const method = req.method ?? 'GET';
    if (parts[0] === 'health' && parts.length === 1) return sendJson(res, ctx, 200, { ok: true });
    if (parts[0] !== 'v1' || parts[1] !== 'exports') throw new HttpFailure(404, 'NOT_FOUND', `No route ${url.pathname}.`);
    const exportJobId = parts[2];
    const tail = parts[3];
    const endpoint: Endpoint | 'other' =
      parts.length === 2 ? 'create' : parts.length === 3 ? 'status' : tail === 'metadata' ? 'metadata' : tail === 'download' ? 'download' : 'other';
    ctx.entry.endpoint = endpoint;
    stats.requests[endpoint]++;
    if (exportJobId !== undefined) ctx.entry.exportJobId = exportJobId;
    if (endpoint !== 'download' && endpoint !== 'other') {
      const wait = bucket?.take();
      if (wait !== undefined) {
        countFault('rateLimit');
        ctx.entry.fault = 'rateLimit';
        throw new HttpFailure(429, 'TOO_MANY_REQUESTS', 'Account rate limit exceeded.', { 'retry-after': String(wait) });
      }
    }
    const allowed: Record<Endpoint | 'other', string[]> = {
      create: ['POST'],
      status: ['GET'],
      metadata: ['GET'],
      download: ['GET', 'HEAD'],
      other: [],
    };
    if (endpoint === 'other' || parts.length > 4) throw new HttpFailure(404, 'NOT_FOUND', `No route ${url.pathname}.`);
    if (!allowed[endpoint].includes(method)) {
      throw new HttpFailure(405, 'METHOD_NOT_ALLOWED', `${method} is not allowed here.`, { allow: allowed[endpoint].join(', ') });
    }
    switch (endpoint) {
      case 'create':
        return handleCreate(req, res, ctx);
      case 'status':
        return handleStatus(req, res, ctx, url, exportJobId!);
      case 'metadata':
        return handleMetadata(req, res, ctx, url, exportJobId!);
      case 'download':
        return handleDownload(req, res, ctx, url, exportJobId!);
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const seq = ++requestSeq;
    const requestId = `req_${seq.toString(36).padStart(6, '0')}_${randomFor(seed, 'request', seq).int(0, 0xffffff).toString(16)}`;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const closer = new AbortController();
    res.on('close', () => closer.abort());
    const ctx: RequestContext = {
      requestId,
      started: performance.now(),
      closed: closer.signal,
      entry: {
        seq,
        requestId,
        at: new Date().toISOString(),
        method: req.method ?? 'GET',
        path: url.pathname,
        endpoint: 'other',
        status: 0,
        bytes: 0,
        durationMs: 0,
      },
    };
    res.setHeader('x-request-id', requestId);
    // Logged on arrival, so a caller counting requests sees one even while its answer is still pending;
    // status, bytes and duration are filled in when the response closes (status 0: no response sent).
    requestLog.push(ctx.entry);
    if (requestLog.length > logLimit) requestLog.shift();
    res.on('close', () => {
      ctx.entry.status = res.headersSent ? res.statusCode : 0;
      ctx.entry.durationMs = Math.round(performance.now() - ctx.started);
      const key = String(ctx.entry.status);
      stats.responsesByStatus[key] = (stats.responsesByStatus[key] ?? 0) + 1;
      options.onRequest?.(ctx.entry);
    });
    try {
      await route(req, res, ctx, url);
    } catch (error) {
      if (res.headersSent || res.destroyed) {
        res.destroy();
        return;
      }
      if (error instanceof HttpFailure) sendError(res, ctx, error);
      else sendError(res, ctx, new HttpFailure(500, 'INTERNAL_ERROR', `Simulator bug: ${(error as Error).message}`));
    }
  }

  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
  });
  baseUrl = `http://127.0.0.1:${port}`;

  return {
    baseUrl,
    port,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      });
    },
    stats: () => structuredClone(stats),
    log: () => requestLog.map((entry) => ({ ...entry })),
    setScenario: (patch, target) => scenarios.set(patch, target),
    job: (exportJobId) => jobs.get(exportJobId),
    async expectedRecording(exportJobId, { withSha256 = true } = {}) {
      const job = jobs.get(exportJobId);
      if (!job) throw new Error(`The OCP simulator has no export job ${exportJobId}.`);
      const layout = layoutOf(job);
      let sha = sha256s.get(exportJobId);
      if (!sha && withSha256) {
        sha = wavSha256(job.recording);
        sha256s.set(exportJobId, sha);
      }
      return {
        exportJobId,
        entryName: job.entryName,
        format: 'WAV',
        channels: job.recording.channels,
        sampleRate: job.recording.sampleRate,
        bitsPerSample: BitsPerSample,
        frames: job.recording.frames,
        durationSeconds: durationSeconds(job.recording),
        wavBytes: layout.wavSize,
        archiveBytes: layout.totalSize,
        crc32: layout.crc32,
        ...(sha ? { sha256: await sha } : {}),
        reportedMetadata: reportedMetadata(job),
      };
    },
  };
}
