/**
 * Public contract of the local Step Functions engine. The HTTP API (local/sfn-api), the
 * integrations (local/integrations), the local mode and the benchmarks program against this;
 * the engine implements it. Extend it, do not break it.
 */

/** Time source. VirtualClock makes six hours of waiting take milliseconds; RealClock serves interactive runs. */
export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /** Resolves after `ms` of this clock's time; rejects with the signal's reason when aborted. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /**
   * Marks work in progress outside the clock (a handler running, a callback expected soon).
   * A virtual clock does not jump forward while any hold is open; release it when done.
   */
  hold(): () => void;
}

/** A Task's call to its integration, after InputPath and Parameters. */
export interface TaskRequest {
  /** The Task's Resource with any `.waitForTaskToken` suffix removed. */
  resource: string;
  /** `.waitForTaskToken` / `.sync` or undefined for request-response. */
  pattern?: 'waitForTaskToken';
  parameters: unknown;
  /** Present for `.waitForTaskToken`; also readable as `$$.Task.Token`. */
  taskToken?: string;
  execution: { arn: string; name: string; stateMachineArn: string };
  stateName: string;
  /** Aborted when the state times out or the execution stops. */
  signal: AbortSignal;
  clock: Clock;
}

export type TaskHandler = (req: TaskRequest) => Promise<unknown>;

/** Resolves a Task's Resource to a handler; undefined when this resolver does not know the resource. */
export interface TaskResolver {
  resolve(resource: string): TaskHandler | undefined;
}

/** Thrown by a handler to fail the task with an exact ASL error name and cause. */
export class TaskFailure extends Error {
  constructor(
    readonly error: string,
    readonly causeText: string,
  ) {
    super(`${error}: ${causeText}`);
    this.name = error;
  }
}

/** Errors of the Step Functions API, named as AWS names them (the HTTP layer maps them to `__type`). */
export type SfnErrorCode =
  | 'ExecutionAlreadyExists'
  | 'ExecutionDoesNotExist'
  | 'ExecutionLimitExceeded'
  | 'StateMachineDoesNotExist'
  | 'StateMachineAlreadyExists'
  | 'InvalidDefinition'
  | 'InvalidArn'
  | 'InvalidName'
  | 'InvalidExecutionInput'
  | 'InvalidOutput'
  | 'InvalidToken'
  | 'TaskDoesNotExist'
  | 'TaskTimedOut'
  | 'ValidationException';

export class SfnError extends Error {
  constructor(
    readonly code: SfnErrorCode,
    message: string,
  ) {
    super(message);
    this.name = code;
  }
}

export type ExecutionStatus = 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';

export interface ExecutionDescription {
  executionArn: string;
  stateMachineArn: string;
  name: string;
  status: ExecutionStatus;
  startDate: Date;
  stopDate?: Date;
  input: string;
  output?: string;
  error?: string;
  cause?: string;
}

export interface StateMachineDescription {
  stateMachineArn: string;
  name: string;
  definition: string;
  roleArn: string;
  type: 'STANDARD';
  creationDate: Date;
  status: 'ACTIVE';
}

/** A history event in the shape of the GetExecutionHistory API (subset of details used here). */
export interface HistoryEvent {
  id: number;
  previousEventId: number;
  timestamp: Date;
  /** AWS event type, e.g. ExecutionStarted, TaskStateEntered, TaskScheduled, TaskSucceeded, WaitStateExited. */
  type: string;
  [details: string]: unknown;
}

export interface StartExecutionResult {
  executionArn: string;
  startDate: Date;
}

export interface EngineOptions {
  clock: Clock;
  resolvers: TaskResolver[];
  region?: string;
  accountId?: string;
  /** Folder for the node:sqlite checkpoint database; in memory when absent. */
  dataDir?: string;
  /** Called for every history event appended (progress displays, tests). */
  onEvent?: (executionArn: string, event: HistoryEvent) => void;
  /** Source of randomness for JitterStrategy FULL and States.MathRandom; seed it for reproducible tests. */
  random?: () => number;
}

/** The engine's operations, one per Step Functions API action it serves. */
export interface StepFunctionsEngine {
  createStateMachine(args: { name: string; definition: string; roleArn?: string }): StateMachineDescription;
  describeStateMachine(stateMachineArn: string): StateMachineDescription;
  startExecution(args: { stateMachineArn: string; name?: string; input?: string }): StartExecutionResult;
  describeExecution(executionArn: string): ExecutionDescription;
  listExecutions(args: { stateMachineArn: string; statusFilter?: ExecutionStatus }): ExecutionDescription[];
  getExecutionHistory(executionArn: string): HistoryEvent[];
  stopExecution(executionArn: string, args?: { error?: string; cause?: string }): { stopDate: Date };
  sendTaskSuccess(taskToken: string, output: string): void;
  sendTaskFailure(taskToken: string, error?: string, cause?: string): void;
  sendTaskHeartbeat(taskToken: string): void;
  /** Resolves when the execution leaves RUNNING. */
  waitForExecution(executionArn: string): Promise<ExecutionDescription>;
  /** Resumes executions left RUNNING in the checkpoint store by an earlier process. */
  resume(): Promise<number>;
  close(): Promise<void>;
}
