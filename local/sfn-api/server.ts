/**
 * The Step Functions API on 127.0.0.1: AWS JSON 1.0 with `X-Amz-Target: AWSStepFunctions.<Action>`,
 * so `@aws-sdk/client-sfn` works against the local engine with only `endpoint` set. This layer
 * validates requests and shapes responses; the engine decides everything else.
 */
import { SfnError, type ExecutionDescription, type HistoryEvent, type StepFunctionsEngine } from '../engine/types.ts';
import { assertExecutionArn, assertStateMachineArn, isValidName } from './arns.ts';
import { AwsServiceError, parseRequest, startAwsJsonService, type AwsJsonLog, type RunningService } from './aws-json.ts';
import { paginate } from './paging.ts';
import {
  CreateStateMachineRequest,
  DescribeExecutionRequest,
  DescribeStateMachineRequest,
  GetExecutionHistoryRequest,
  ListExecutionsRequest,
  SendTaskFailureRequest,
  SendTaskHeartbeatRequest,
  SendTaskSuccessRequest,
  StartExecutionRequest,
  StopExecutionRequest,
} from './requests.ts';

export interface StepFunctionsApiOptions {
  engine: StepFunctionsEngine;
  /** A fixed port (fails clearly when taken); a free one when absent. */
  port?: number;
  log?: AwsJsonLog;
}

export type StepFunctionsApi = RunningService;

export function startStepFunctionsApi(options: StepFunctionsApiOptions): Promise<StepFunctionsApi> {
  const { engine } = options;
  return startAwsJsonService({
    targetPrefix: 'AWSStepFunctions',
    jsonVersion: '1.0',
    description: 'the local Step Functions API',
    ...(options.port ? { port: options.port } : {}),
    ...(options.log ? { log: options.log } : {}),
    mapError: (err) => (err instanceof SfnError ? new AwsServiceError(err.code, err.message) : undefined),
    actions: {
      CreateStateMachine(body) {
        const req = parseRequest(CreateStateMachineRequest, body);
        if (!isValidName(req.name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${req.name}'`);
        if (req.type === 'EXPRESS') {
          throw new AwsServiceError('ValidationException', 'The local engine runs STANDARD state machines only; create this one with type STANDARD.');
        }
        const created = engine.createStateMachine({ name: req.name, definition: req.definition, roleArn: req.roleArn });
        return { stateMachineArn: created.stateMachineArn, creationDate: created.creationDate };
      },

      DescribeStateMachine(body) {
        const req = parseRequest(DescribeStateMachineRequest, body);
        assertStateMachineArn(req.stateMachineArn);
        const sm = engine.describeStateMachine(req.stateMachineArn);
        return {
          ...sm,
          loggingConfiguration: { level: 'OFF', includeExecutionData: false },
          tracingConfiguration: { enabled: false },
        };
      },

      StartExecution(body) {
        const req = parseRequest(StartExecutionRequest, body);
        assertStateMachineArn(req.stateMachineArn);
        if (req.name !== undefined && !isValidName(req.name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${req.name}'`);
        if (req.input !== undefined) assertJson(req.input, 'InvalidExecutionInput', 'Invalid State Machine Execution Input');
        return engine.startExecution({
          stateMachineArn: req.stateMachineArn,
          ...(req.name !== undefined ? { name: req.name } : {}),
          ...(req.input !== undefined ? { input: req.input } : {}),
        });
      },

      DescribeExecution(body) {
        const req = parseRequest(DescribeExecutionRequest, body);
        assertExecutionArn(req.executionArn);
        const ex = engine.describeExecution(req.executionArn);
        const withData = req.includedData !== 'METADATA_ONLY';
        return {
          ...listItem(ex),
          ...(withData ? { input: ex.input } : {}),
          inputDetails: { included: withData },
          ...(ex.output !== undefined ? { ...(withData ? { output: ex.output } : {}), outputDetails: { included: withData } } : {}),
          error: ex.error,
          cause: ex.cause,
        };
      },

      ListExecutions(body) {
        const req = parseRequest(ListExecutionsRequest, body);
        assertStateMachineArn(req.stateMachineArn);
        if (req.statusFilter === 'PENDING_REDRIVE') return { executions: [] };
        const all = engine.listExecutions({
          stateMachineArn: req.stateMachineArn,
          ...(req.statusFilter ? { statusFilter: req.statusFilter } : {}),
        });
        // AWS lists the most recently started first.
        const ordered = [...all].sort((a, b) => b.startDate.getTime() - a.startDate.getTime());
        const page = paginate(ordered, `ListExecutions ${req.stateMachineArn} ${req.statusFilter ?? ''}`, req.maxResults, req.nextToken);
        return { executions: page.items.map(listItem), nextToken: page.nextToken };
      },

      GetExecutionHistory(body) {
        const req = parseRequest(GetExecutionHistoryRequest, body);
        assertExecutionArn(req.executionArn);
        const events = engine.getExecutionHistory(req.executionArn);
        const ordered = req.reverseOrder ? [...events].reverse() : events;
        const listing = `GetExecutionHistory ${req.executionArn} ${req.reverseOrder ? 'reverse' : 'forward'}`;
        const page = paginate(ordered, listing, req.maxResults, req.nextToken);
        const items = req.includeExecutionData === false ? page.items.map(withoutExecutionData) : page.items;
        return { events: items, nextToken: page.nextToken };
      },

      StopExecution(body) {
        const req = parseRequest(StopExecutionRequest, body);
        assertExecutionArn(req.executionArn);
        return engine.stopExecution(req.executionArn, {
          ...(req.error !== undefined ? { error: req.error } : {}),
          ...(req.cause !== undefined ? { cause: req.cause } : {}),
        });
      },

      SendTaskSuccess(body) {
        const req = parseRequest(SendTaskSuccessRequest, body);
        assertJson(req.output, 'InvalidOutput', 'Invalid Output');
        engine.sendTaskSuccess(req.taskToken, req.output);
        return {};
      },

      SendTaskFailure(body) {
        const req = parseRequest(SendTaskFailureRequest, body);
        engine.sendTaskFailure(req.taskToken, req.error, req.cause);
        return {};
      },

      SendTaskHeartbeat(body) {
        const req = parseRequest(SendTaskHeartbeatRequest, body);
        engine.sendTaskHeartbeat(req.taskToken);
        return {};
      },
    },
  });
}

function assertJson(text: string, code: 'InvalidExecutionInput' | 'InvalidOutput', what: string): void {
  try {
    JSON.parse(text);
  } catch (err) {
    throw new AwsServiceError(code, `${what}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

function listItem(ex: ExecutionDescription) {
  return {
    executionArn: ex.executionArn,
    stateMachineArn: ex.stateMachineArn,
    name: ex.name,
    status: ex.status,
    startDate: ex.startDate,
    stopDate: ex.stopDate,
  };
}

/** `includeExecutionData: false` keeps the events but drops the input and output they carry. */
function withoutExecutionData(event: HistoryEvent): HistoryEvent {
  const out: HistoryEvent = { ...event };
  for (const [key, value] of Object.entries(event)) {
    if (!key.endsWith('EventDetails') || value === null || typeof value !== 'object') continue;
    const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
    out[key] = rest;
  }
  return out;
}
