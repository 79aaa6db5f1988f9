/**
 * Zod schemas of the OCP export API, one per body in docs/ocp-openapi.yaml.
 * test/ocp/schemas-openapi.test.ts compares each schema with its OpenAPI component (fields, required
 * fields, types, enums), so the document and the code cannot drift apart silently.
 */
import { z } from 'zod';

/** The statuses this project knows how to act on; OCP may add others (see ExportStatusResponse). */
export const KnownExportStatuses = ['IN_PROGRESS', 'COMPLETED', 'FAILED'] as const;
export type KnownExportStatus = (typeof KnownExportStatuses)[number];

const Timestamp = z.iso.datetime({ offset: true });
const ExportJobId = z.string().min(1).max(256);

export const CreateExportJobRequest = z.object({
  dialogGroupId: z.string().min(1).max(256),
  callId: z.string().min(1).max(256),
  requestedAt: Timestamp,
});
export type CreateExportJobRequest = z.infer<typeof CreateExportJobRequest>;

export const CreateExportJobResponse = z.object({
  exportJobId: ExportJobId,
  status: z.literal('CREATED'),
  /** OCP's own guess; absent when it has none. */
  estimatedCompletionTime: Timestamp.optional(),
});
export type CreateExportJobResponse = z.infer<typeof CreateExportJobResponse>;

export const ExportInProgress = z.object({
  exportJobId: ExportJobId,
  status: z.literal('IN_PROGRESS'),
  progress: z.number().min(0).max(100),
  estimatedSecondsRemaining: z.number().min(0).optional(),
});

export const ExportCompleted = z.object({
  exportJobId: ExportJobId,
  status: z.literal('COMPLETED'),
  downloadUrl: z.url({ protocol: /^https?$/ }),
  fileSize: z.number().int().min(0),
  completedAt: Timestamp,
});

export const ExportFailed = z.object({
  exportJobId: ExportJobId,
  status: z.literal('FAILED'),
  errorMessage: z.string(),
});

/**
 * A status this project does not know. It must parse: the workflow routes it to FAILED_UNKNOWN_STATUS
 * instead of failing the poll as if OCP had broken its contract.
 */
export const ExportOtherStatus = z.looseObject({
  exportJobId: ExportJobId,
  status: z
    .string()
    .min(1)
    .refine((s) => !(KnownExportStatuses as readonly string[]).includes(s), {
      message: 'a known status must match its own shape',
    }),
});

export const ExportStatusResponse = z.union([ExportInProgress, ExportCompleted, ExportFailed, ExportOtherStatus]);
export type ExportStatusResponse = z.infer<typeof ExportStatusResponse>;
export type ExportInProgress = z.infer<typeof ExportInProgress>;
export type ExportCompleted = z.infer<typeof ExportCompleted>;
export type ExportFailed = z.infer<typeof ExportFailed>;

/*
 * TypeScript cannot say "any string but these three", so `status === 'COMPLETED'` does not narrow the
 * union by itself; these guards do (the parse already guaranteed the shape).
 */
export const isExportInProgress = (s: ExportStatusResponse): s is ExportInProgress => s.status === 'IN_PROGRESS';
export const isExportCompleted = (s: ExportStatusResponse): s is ExportCompleted => s.status === 'COMPLETED';
export const isExportFailed = (s: ExportStatusResponse): s is ExportFailed => s.status === 'FAILED';

/** Picks the one variant a body claims to be, so a broken COMPLETED body reports its own missing fields. */
export function statusVariantFor(body: unknown): z.ZodType<ExportStatusResponse> {
  const status = typeof body === 'object' && body !== null ? (body as { status?: unknown }).status : undefined;
  switch (status) {
    case 'IN_PROGRESS':
      return ExportInProgress;
    case 'COMPLETED':
      return ExportCompleted;
    case 'FAILED':
      return ExportFailed;
    default:
      return ExportOtherStatus;
  }
}

export const OcpRecordingMetadata = z.object({
  /** Seconds. */
  duration: z.number().min(0),
  channels: z.number().int().min(1),
  sampleRate: z.number().int().min(1),
  format: z.string().min(1),
  agentId: z.string().optional(),
  queueName: z.string().optional(),
});

export const ExportMetadataResponse = z.object({
  exportJobId: ExportJobId,
  metadata: OcpRecordingMetadata,
});
export type ExportMetadataResponse = z.infer<typeof ExportMetadataResponse>;

/** Body of every 4xx/5xx the API sends (when it sends JSON at all). */
export const OcpErrorBody = z.object({
  code: z.string(),
  message: z.string(),
  requestId: z.string().optional(),
});
export type OcpErrorBody = z.infer<typeof OcpErrorBody>;

/** Component name in docs/ocp-openapi.yaml → schema, for the drift test and anyone documenting. */
export const OpenApiComponents = {
  CreateExportJobRequest,
  CreateExportJobResponse,
  ExportInProgress,
  ExportCompleted,
  ExportFailed,
  RecordingMetadata: OcpRecordingMetadata,
  ExportMetadataResponse,
  Error: OcpErrorBody,
} as const;
