/**
 * The local Step Functions engine: the API actions the HTTP layer serves, over compiled state
 * machines, running executions, task tokens and (with a dataDir) a checkpoint store that lets a
 * new process resume what an old one left RUNNING.
 */
import { randomUUID } from 'node:crypto';
import { NoCheckpoints, SqliteCheckpoints, type CheckpointStore } from './checkpoint-store.ts';
import { MAX_PAYLOAD_BYTES } from './data-flow.ts';
import { compileDefinition, type CompiledMachine } from './definition.ts';
import { Execution, Interrupted } from './execution.ts';
import { Runner, type RunEnv } from './runner.ts';
import { States } from './states-error.ts';
import { TaskTokens } from './task-tokens.ts';
import {
  SfnError,
  type Clock,
  type EngineOptions,
  type ExecutionDescription,
  type ExecutionStatus,
  type HistoryEvent,
  type StartExecutionResult,
  type StateMachineDescription,
  type StepFunctionsEngine,
  type TaskResolver,
} from './types.ts';

const DEFAULT_ROLE = (account: string): string => `arn:aws:iam::${account}:role/service-role/StepFunctions-local`;
/** AWS: 1-80 characters, none of whitespace, brackets, wildcards, special or control characters. */
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

interface Machine {
  desc: StateMachineDescription;
  compiled: CompiledMachine;
  /** What every execution of this machine runs with, built once. */
  env?: RunEnv;
}

export class Engine implements StepFunctionsEngine {
  private readonly clock: Clock;
  private readonly resolvers: TaskResolver[];
  private readonly region: string;
  private readonly accountId: string;
  private readonly random: () => number;
  private readonly store: CheckpointStore;
  private readonly persist: boolean;
  private readonly onEvent: EngineOptions['onEvent'];
  private readonly tokens = new TaskTokens();
  private readonly machines = new Map<string, Machine>();
  /** Executions started or resumed by this process. */
  private readonly live = new Map<string, Execution>();
  /** Executions known only from the checkpoint store (closed, or RUNNING until resume()). */
  private readonly stored = new Map<string, ExecutionDescription>();
  private readonly runs = new Set<Promise<void>>();
  private closed = false;
  private readonly now = (): number => this.clock.now();

  constructor(opts: EngineOptions) {
    this.clock = opts.clock;
    this.resolvers = opts.resolvers;
    this.region = opts.region ?? 'us-east-1';
    this.accountId = opts.accountId ?? '123456789012';
    this.random = opts.random ?? Math.random;
    this.onEvent = opts.onEvent;
    this.persist = opts.dataDir !== undefined;
    this.store = opts.dataDir !== undefined ? new SqliteCheckpoints(opts.dataDir) : new NoCheckpoints();
    for (const desc of this.store.loadMachines()) {
      this.machines.set(desc.stateMachineArn, { desc, compiled: this.compile(desc.definition) });
    }
    for (const e of this.store.loadExecutions()) this.stored.set(e.executionArn, e);
  }

  private compile(definition: string): CompiledMachine {
    return compileDefinition(definition, { resolvers: this.resolvers, random: this.random });
  }

  private open(): void {
    if (this.closed) throw new SfnError('ValidationException', 'The engine is closed');
  }

  createStateMachine(args: { name: string; definition: string; roleArn?: string }): StateMachineDescription {
    this.open();
    validateName(args.name, 'state machine');
    const arn = `arn:aws:states:${this.region}:${this.accountId}:stateMachine:${args.name}`;
    const roleArn = args.roleArn ?? DEFAULT_ROLE(this.accountId);
    const existing = this.machines.get(arn);
    if (existing) {
      // AWS: creating the same machine again is idempotent; a different definition or role is a conflict.
      if (existing.desc.definition === args.definition && existing.desc.roleArn === roleArn) return { ...existing.desc };
      throw new SfnError('StateMachineAlreadyExists', `State Machine Already Exists: '${arn}' has a different definition or role`);
    }
    const compiled = this.compile(args.definition);
    const desc: StateMachineDescription = {
      stateMachineArn: arn,
      name: args.name,
      definition: args.definition,
      roleArn,
      type: 'STANDARD',
      creationDate: new Date(this.clock.now()),
      status: 'ACTIVE',
    };
    this.machines.set(arn, { desc, compiled });
    this.store.saveMachine(desc);
    return { ...desc };
  }

  describeStateMachine(stateMachineArn: string): StateMachineDescription {
    return { ...this.machine(stateMachineArn).desc };
  }

  private machine(arn: string): Machine {
    if (!/^arn:[^:]+:states:[^:]*:[^:]*:stateMachine:[^:]+$/.test(arn)) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}' is not a state machine ARN`);
    const m = this.machines.get(arn);
    if (!m) throw new SfnError('StateMachineDoesNotExist', `State Machine Does Not Exist: '${arn}'`);
    return m;
  }

  startExecution(args: { stateMachineArn: string; name?: string; input?: string }): StartExecutionResult {
    this.open();
    const machine = this.machine(args.stateMachineArn);
    const name = args.name ?? randomUUID();
    validateName(name, 'execution');
    const input = args.input ?? '{}';
    if (Buffer.byteLength(input, 'utf8') > MAX_PAYLOAD_BYTES)
      throw new SfnError('InvalidExecutionInput', `Invalid Execution Input: larger than ${MAX_PAYLOAD_BYTES} bytes`);
    let inputValue: unknown;
    try {
      inputValue = JSON.parse(input);
    } catch (e) {
      throw new SfnError('InvalidExecutionInput', `Invalid Execution Input: not valid JSON (${(e as Error).message})`);
    }
    const arn = `arn:aws:states:${this.region}:${this.accountId}:execution:${machine.desc.name}:${name}`;
    const prior = this.live.get(arn)?.desc ?? this.stored.get(arn);
    if (prior) {
      // AWS (Standard): the same name and input while RUNNING returns the running execution; anything else conflicts.
      if (prior.status === 'RUNNING' && prior.input === input) return { executionArn: arn, startDate: prior.startDate };
      throw new SfnError(
        'ExecutionAlreadyExists',
        `Execution Already Exists: '${arn}' ${prior.status === 'RUNNING' ? 'is running with a different input' : `already ran (${prior.status})`}`,
      );
    }
    const desc: ExecutionDescription = {
      executionArn: arn,
      stateMachineArn: machine.desc.stateMachineArn,
      name,
      status: 'RUNNING',
      startDate: new Date(this.clock.now()),
      input,
    };
    const exec = new Execution(desc, this.store, this.now, this.onEvent, [], inputValue);
    this.live.set(arn, exec);
    this.store.saveExecution(desc);
    exec.addEvent('ExecutionStarted', 0, {
      executionStartedEventDetails: { input, inputDetails: { truncated: false }, roleArn: machine.desc.roleArn, stateMachineArn: machine.desc.stateMachineArn },
    });
    this.launch(machine, exec, new Runner(this.env(machine), exec));
    return { executionArn: arn, startDate: desc.startDate };
  }

  private env(machine: Machine): RunEnv {
    return (machine.env ??= {
      clock: this.clock,
      tokens: this.tokens,
      store: this.store,
      persist: this.persist,
      random: this.random,
      region: this.region,
      machine: { arn: machine.desc.stateMachineArn, name: machine.desc.name, compiled: machine.compiled },
      roleArn: machine.desc.roleArn,
    });
  }

  /** Starts the run on the next microtask (so the API call returns first) and arms the machine's TimeoutSeconds. */
  private launch(machine: Machine, exec: Execution, runner: Runner): void {
    const timeout = machine.compiled.timeoutSeconds;
    if (timeout !== undefined) {
      const deadline = exec.desc.startDate.getTime() + timeout * 1000;
      this.clock.sleep(Math.max(0, deadline - this.clock.now()), exec.interrupt.signal).then(() => {
        if (!exec.running || this.closed) return;
        const cause = `The execution did not finish within the state machine's TimeoutSeconds (${timeout})`;
        exec.addEvent('ExecutionTimedOut', exec.lastEventId, { executionTimedOutEventDetails: { error: States.Timeout, cause } });
        exec.close('TIMED_OUT', { error: States.Timeout, cause });
      }, noop);
    }
    const p = Promise.resolve()
      .then(() => runner.run())
      .finally(() => {
        this.runs.delete(p);
        this.retire(exec);
      });
    this.runs.add(p);
  }

  /**
   * With a checkpoint store, a closed execution's history lives in sqlite only, so a long-running local
   * mode does not keep every history in memory; without one, memory is the only copy and it stays.
   */
  private retire(exec: Execution): void {
    if (!this.persist || exec.running || this.closed) return;
    this.live.delete(exec.arn);
    this.stored.set(exec.arn, exec.describe());
  }

  private execution(arn: string): Execution | ExecutionDescription {
    if (!/^arn:[^:]+:states:[^:]*:[^:]*:execution:[^:]+:[^:]+$/.test(arn)) throw new SfnError('InvalidArn', `Invalid Arn: '${arn}' is not an execution ARN`);
    const e = this.live.get(arn) ?? this.stored.get(arn);
    if (!e) throw new SfnError('ExecutionDoesNotExist', `Execution Does Not Exist: '${arn}'`);
    return e;
  }

  describeExecution(executionArn: string): ExecutionDescription {
    const e = this.execution(executionArn);
    return e instanceof Execution ? e.describe() : { ...e };
  }

  listExecutions(args: { stateMachineArn: string; statusFilter?: ExecutionStatus }): ExecutionDescription[] {
    this.machine(args.stateMachineArn);
    const out: ExecutionDescription[] = [];
    const seen = new Set<string>();
    for (const e of this.live.values()) {
      seen.add(e.arn);
      if (e.desc.stateMachineArn === args.stateMachineArn) out.push(e.describe());
    }
    for (const d of this.stored.values()) if (!seen.has(d.executionArn) && d.stateMachineArn === args.stateMachineArn) out.push({ ...d });
    return out
      .filter((d) => !args.statusFilter || d.status === args.statusFilter)
      .sort((a, b) => b.startDate.getTime() - a.startDate.getTime() || (a.executionArn < b.executionArn ? 1 : -1));
  }

  getExecutionHistory(executionArn: string): HistoryEvent[] {
    const e = this.execution(executionArn);
    return e instanceof Execution ? e.history : this.store.loadEvents(executionArn);
  }

  stopExecution(executionArn: string, args: { error?: string; cause?: string } = {}): { stopDate: Date } {
    const e = this.execution(executionArn);
    if (!(e instanceof Execution)) {
      if (e.status === 'RUNNING') throw new SfnError('ValidationException', `Execution '${executionArn}' has not been resumed by this engine yet; call resume() first`);
      return { stopDate: e.stopDate ?? e.startDate };
    }
    if (e.running) {
      const details: Record<string, string> = {};
      if (args.error !== undefined) details.error = args.error;
      if (args.cause !== undefined) details.cause = args.cause;
      e.addEvent('ExecutionAborted', e.lastEventId, { executionAbortedEventDetails: details });
      e.close('ABORTED', details);
    }
    return { stopDate: e.desc.stopDate! };
  }

  private isKnownExecution = (arn: string): boolean => this.live.has(arn) || this.stored.has(arn);

  sendTaskSuccess(taskToken: string, output: string): void {
    const waiter = this.tokens.lookup(taskToken, this.isKnownExecution);
    if (Buffer.byteLength(output ?? '', 'utf8') > MAX_PAYLOAD_BYTES) throw new SfnError('InvalidOutput', `Invalid Output: larger than ${MAX_PAYLOAD_BYTES} bytes`);
    let value: unknown;
    try {
      value = JSON.parse(output);
    } catch (e) {
      throw new SfnError('InvalidOutput', `Invalid Output: not valid JSON (${(e as Error).message})`);
    }
    waiter.settle({ kind: 'success', output: value });
  }

  sendTaskFailure(taskToken: string, error?: string, cause?: string): void {
    if (error !== undefined && error.length > 256) throw new SfnError('ValidationException', 'error must be at most 256 characters');
    if (cause !== undefined && cause.length > 32_768) throw new SfnError('ValidationException', 'cause must be at most 32768 characters');
    const waiter = this.tokens.lookup(taskToken, this.isKnownExecution);
    waiter.settle({ kind: 'failure', error: error ?? '', cause: cause ?? '' });
  }

  sendTaskHeartbeat(taskToken: string): void {
    this.tokens.lookup(taskToken, this.isKnownExecution).heartbeat();
  }

  waitForExecution(executionArn: string): Promise<ExecutionDescription> {
    const e = this.execution(executionArn);
    if (e instanceof Execution) return e.whenClosed();
    if (e.status !== 'RUNNING') return Promise.resolve({ ...e });
    return Promise.reject(new SfnError('ValidationException', `Execution '${executionArn}' is RUNNING in the checkpoint store but not resumed; call resume() first`));
  }

  async resume(): Promise<number> {
    this.open();
    let count = 0;
    for (const desc of [...this.stored.values()]) {
      if (desc.status !== 'RUNNING' || this.live.has(desc.executionArn)) continue;
      const machine = this.machines.get(desc.stateMachineArn);
      if (!machine) continue;
      const exec = new Execution(desc, this.store, this.now, this.onEvent, this.store.loadEvents(desc.executionArn));
      this.stored.delete(desc.executionArn);
      this.live.set(desc.executionArn, exec);
      this.launch(machine, exec, new Runner(this.env(machine), exec, this.store.loadFrames(desc.executionArn)));
      count++;
    }
    return count;
  }

  /** Stops running work without closing the executions: with a dataDir they stay RUNNING for the next resume(). */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const e of this.live.values()) if (e.running) e.interrupt.fire(new Interrupted('engine closed'));
    await Promise.allSettled([...this.runs]);
    this.store.close();
  }
}

function validateName(name: string, what: string): void {
  if (typeof name !== 'string' || name.length < 1 || name.length > 80 || INVALID_NAME.test(name))
    throw new SfnError('InvalidName', `Invalid Name: '${name}' is not a valid ${what} name (1-80 characters, no whitespace, brackets, wildcards or special characters)`);
}

function noop(): void {}
