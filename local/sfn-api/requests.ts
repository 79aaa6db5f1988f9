/**
 * The request bodies of the Step Functions actions this API serves, with AWS's documented
 * constraints. Members AWS accepts but local mode ignores (tracing, logging, tags) are allowed
 * and dropped.
 */
import { z } from 'zod';

/** 256 KiB: Step Functions' limit for inputs, outputs and task results. */
export const maxPayloadBytes = 262_144;

const payload = z
  .string()
  .refine((s) => Buffer.byteLength(s, 'utf8') <= maxPayloadBytes, `Member must have length less than or equal to ${maxPayloadBytes}`);
const arn = z.string().min(1).max(256);
const maxResults = z.number().int().min(0).max(1000).optional();
const nextToken = z.string().min(1).max(3096).optional();
const taskToken = z.string().min(1).max(2048);
const statusFilter = z.enum(['RUNNING', 'SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED', 'PENDING_REDRIVE']);

export const CreateStateMachineRequest = z.object({
  name: z.string().min(1).max(80),
  definition: z.string().min(1).max(1_048_576),
  roleArn: z.string().min(1).max(256),
  type: z.enum(['STANDARD', 'EXPRESS']).optional(),
  loggingConfiguration: z.unknown().optional(),
  tracingConfiguration: z.unknown().optional(),
  tags: z.array(z.object({ key: z.string().optional(), value: z.string().optional() })).optional(),
  publish: z.boolean().optional(),
  versionDescription: z.string().max(256).optional(),
});

export const DescribeStateMachineRequest = z.object({ stateMachineArn: arn });

export const StartExecutionRequest = z.object({
  stateMachineArn: arn,
  name: z.string().min(1).max(80).optional(),
  input: payload.optional(),
  traceHeader: z.string().max(256).optional(),
});

export const DescribeExecutionRequest = z.object({ executionArn: arn, includedData: z.enum(['ALL_DATA', 'METADATA_ONLY']).optional() });

export const ListExecutionsRequest = z.object({
  stateMachineArn: arn,
  statusFilter: statusFilter.optional(),
  maxResults,
  nextToken,
});

export const GetExecutionHistoryRequest = z.object({
  executionArn: arn,
  maxResults,
  reverseOrder: z.boolean().optional(),
  nextToken,
  includeExecutionData: z.boolean().optional(),
});

export const StopExecutionRequest = z.object({
  executionArn: arn,
  error: z.string().max(256).optional(),
  cause: z.string().max(32_768).optional(),
});

export const SendTaskSuccessRequest = z.object({ taskToken, output: payload });
export const SendTaskFailureRequest = z.object({
  taskToken,
  error: z.string().max(256).optional(),
  cause: z.string().max(32_768).optional(),
});
export const SendTaskHeartbeatRequest = z.object({ taskToken });
