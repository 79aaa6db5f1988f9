/**
 * Loads an ASL definition (JSONPath query language) into compiled states: paths and templates become
 * closures, Task resources are resolved to handlers, and every structural mistake is reported when
 * the machine is created, naming the state, instead of surfacing mid-run.
 */
import { z } from 'zod';
import { compileRule, type Predicate } from './choice.ts';
import { compilePath, compileReferencePath, type CompiledPath, type Segment } from './paths.ts';
import { compileExpression, compileTemplate, type Template } from './payload-template.ts';
import { SfnError, type TaskHandler, type TaskResolver } from './types.ts';

export type StateType = 'Pass' | 'Task' | 'Choice' | 'Wait' | 'Succeed' | 'Fail' | 'Parallel' | 'Map';

export interface Retrier {
  errorEquals: string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
  maxDelaySeconds?: number;
  jitter: 'FULL' | 'NONE';
}

export interface Catcher {
  errorEquals: string[];
  next: string;
  resultPath: readonly Segment[] | null;
  assign?: Template;
}

interface Base {
  name: string;
  /** History event types, precomputed: `<Type>StateEntered` / `<Type>StateExited`. */
  enteredEvent: string;
  exitedEvent: string;
  next?: string;
  end: boolean;
  /** undefined: `$` (whole input); null: InputPath null, i.e. `{}`. */
  inputPath?: CompiledPath | null;
  outputPath?: CompiledPath | null;
  parameters?: Template;
  resultSelector?: Template;
  /** Segments where the result goes; null discards the result (ResultPath: null). */
  resultPath: readonly Segment[] | null;
  assign?: Template;
  retry: Retrier[];
  catch: Catcher[];
}

export interface PassState extends Base {
  type: 'Pass';
  result?: unknown;
  hasResult: boolean;
}
export interface TaskState extends Base {
  type: 'Task';
  resource: string;
  waitForTaskToken: boolean;
  handler: TaskHandler;
  /** e.g. lambda / dynamodb / sqs: the history's resourceType. */
  resourceType: string;
  /** e.g. invoke / putItem / the function ARN: the history's resource. */
  resourceName: string;
  timeoutSeconds?: number;
  timeoutSecondsPath?: CompiledPath;
  heartbeatSeconds?: number;
  heartbeatSecondsPath?: CompiledPath;
}
export interface ChoiceState extends Base {
  type: 'Choice';
  choices: { test: Predicate; next: string; assign?: Template }[];
  default?: string;
}
export interface WaitState extends Base {
  type: 'Wait';
  seconds?: number;
  secondsPath?: CompiledPath;
  timestamp?: string;
  timestampPath?: CompiledPath;
}
export interface SucceedState extends Base {
  type: 'Succeed';
}
export interface FailState extends Base {
  type: 'Fail';
  error?: string;
  cause?: string;
  errorPath?: Template;
  causePath?: Template;
}
export interface ParallelState extends Base {
  type: 'Parallel';
  branches: Graph[];
}
export interface MapState extends Base {
  type: 'Map';
  itemsPath?: CompiledPath;
  itemSelector?: Template;
  processor: Graph;
  maxConcurrency: number;
  maxConcurrencyPath?: CompiledPath;
  toleratedFailureCount?: number;
  toleratedFailureCountPath?: CompiledPath;
  toleratedFailurePercentage?: number;
  toleratedFailurePercentagePath?: CompiledPath;
}

export type CompiledState = PassState | TaskState | ChoiceState | WaitState | SucceedState | FailState | ParallelState | MapState;

export interface Graph {
  startAt: string;
  states: Map<string, CompiledState>;
}

export interface CompiledMachine extends Graph {
  timeoutSeconds?: number;
  /** Every Task resource in the definition, for callers that want to list what a machine touches. */
  resources: string[];
}

const RetrierSchema = z.object({
  ErrorEquals: z.array(z.string()).min(1),
  IntervalSeconds: z.number().int().positive().optional(),
  MaxAttempts: z.number().int().nonnegative().optional(),
  BackoffRate: z.number().min(1).optional(),
  MaxDelaySeconds: z.number().int().positive().optional(),
  JitterStrategy: z.enum(['FULL', 'NONE']).optional(),
  Comment: z.string().optional(),
});
const CatcherSchema = z.object({
  ErrorEquals: z.array(z.string()).min(1),
  Next: z.string(),
  ResultPath: z.string().nullable().optional(),
  Assign: z.record(z.string(), z.unknown()).optional(),
  Comment: z.string().optional(),
});
const StateSchema = z.looseObject({
  Type: z.enum(['Pass', 'Task', 'Choice', 'Wait', 'Succeed', 'Fail', 'Parallel', 'Map']),
  Next: z.string().optional(),
  End: z.boolean().optional(),
  Comment: z.string().optional(),
  QueryLanguage: z.literal('JSONPath').optional(),
  InputPath: z.string().nullable().optional(),
  OutputPath: z.string().nullable().optional(),
  ResultPath: z.string().nullable().optional(),
  Parameters: z.unknown().optional(),
  ResultSelector: z.record(z.string(), z.unknown()).optional(),
  Assign: z.record(z.string(), z.unknown()).optional(),
  Retry: z.array(RetrierSchema).optional(),
  Catch: z.array(CatcherSchema).optional(),
});
type RawState = z.infer<typeof StateSchema>;
const GraphSchema = z.looseObject({
  StartAt: z.string(),
  States: z.record(z.string(), z.unknown()),
  Comment: z.string().optional(),
  QueryLanguage: z.literal('JSONPath').optional(),
  ProcessorConfig: z.unknown().optional(),
});
const MachineSchema = GraphSchema.extend({
  TimeoutSeconds: z.number().int().positive().optional(),
  Version: z.string().optional(),
});

export interface CompileOptions {
  resolvers: TaskResolver[];
  random: () => number;
}

function invalid(message: string): SfnError {
  return new SfnError('InvalidDefinition', message);
}

function zodMessage(e: z.ZodError): string {
  return e.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

export function compileDefinition(definition: string, opts: CompileOptions): CompiledMachine {
  let raw: unknown;
  try {
    raw = JSON.parse(definition);
  } catch (e) {
    throw invalid(`Definition is not valid JSON: ${(e as Error).message}`);
  }
  if (raw && typeof raw === 'object' && (raw as Record<string, unknown>).QueryLanguage === 'JSONata')
    throw invalid('QueryLanguage JSONata is not supported by the local engine; use JSONPath');
  const parsed = MachineSchema.safeParse(raw);
  if (!parsed.success) throw invalid(`Invalid state machine definition: ${zodMessage(parsed.error)}`);
  const resources: string[] = [];
  const graph = compileGraph(parsed.data, '', opts, resources);
  return { ...graph, timeoutSeconds: parsed.data.TimeoutSeconds, resources };
}

function compileGraph(raw: z.infer<typeof GraphSchema>, prefix: string, opts: CompileOptions, resources: string[]): Graph {
  const states = new Map<string, CompiledState>();
  for (const [name, value] of Object.entries(raw.States)) {
    if (name.length > 80) throw invalid(`State name '${name}' is longer than 80 characters`);
    const r = StateSchema.safeParse(value);
    if (!r.success) throw invalid(`State '${prefix}${name}': ${zodMessage(r.error)}`);
    try {
      states.set(name, compileState(name, r.data, prefix, opts, resources));
    } catch (e) {
      if (e instanceof SfnError) throw e;
      throw invalid(`State '${prefix}${name}': ${(e as Error).message}`);
    }
  }
  if (!states.has(raw.StartAt)) throw invalid(`StartAt '${raw.StartAt}' does not name a state${prefix ? ` in ${prefix.slice(0, -1)}` : ''}`);
  const check = (from: string, to: string | undefined, field: string): void => {
    if (to !== undefined && !states.has(to))
      throw invalid(`State '${prefix}${from}': ${field} '${to}' does not name a state in the same scope`);
  };
  for (const s of states.values()) {
    check(s.name, s.next, 'Next');
    for (const c of s.catch) check(s.name, c.next, 'Catch Next');
    if (s.type === 'Choice') {
      for (const c of s.choices) check(s.name, c.next, 'Choice Next');
      check(s.name, s.default, 'Default');
    }
  }
  return { startAt: raw.StartAt, states };
}

function path(text: string | null | undefined, field: string): CompiledPath | null | undefined {
  if (text === undefined || text === null) return text;
  try {
    return compilePath(text);
  } catch (e) {
    throw new Error(`${field}: ${(e as Error).message}`);
  }
}

function num(raw: RawState, key: string, min: number): number | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min) throw new Error(`${key} must be an integer >= ${min}`);
  return v;
}

function strField(raw: RawState, key: string): string | undefined {
  const v = raw[key];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw new Error(`${key} must be a string`);
  return v;
}

function compileState(name: string, raw: RawState, prefix: string, opts: CompileOptions, resources: string[]): CompiledState {
  const type = raw.Type;
  const terminal = type === 'Succeed' || type === 'Fail' || type === 'Choice';
  if (!terminal) {
    if (raw.End === true && raw.Next !== undefined) throw new Error('has both Next and End');
    if (raw.End !== true && raw.Next === undefined) throw new Error('needs Next or "End": true');
  } else if (raw.Next !== undefined || raw.End !== undefined) throw new Error(`a ${type} state cannot have Next or End`);
  const tpl = (v: unknown, field: string): Template | undefined => (v === undefined ? undefined : compileTemplate(v, { field, random: opts.random }));
  const resultPath = (text: string | null | undefined, field: string): readonly Segment[] | null => {
    if (text === undefined) return [];
    if (text === null) return null;
    try {
      return compileReferencePath(text).segments!;
    } catch (e) {
      throw new Error(`${field}: ${(e as Error).message}`);
    }
  };
  const base: Base = {
    name,
    enteredEvent: `${type}StateEntered`,
    exitedEvent: `${type}StateExited`,
    next: raw.Next,
    end: raw.End === true,
    inputPath: path(raw.InputPath, 'InputPath'),
    outputPath: path(raw.OutputPath, 'OutputPath'),
    parameters: tpl(raw.Parameters, 'Parameters'),
    resultSelector: tpl(raw.ResultSelector, 'ResultSelector'),
    resultPath: resultPath(raw.ResultPath, 'ResultPath'),
    assign: tpl(raw.Assign, 'Assign'),
    retry: (raw.Retry ?? []).map((r, i) => {
      if (r.ErrorEquals.includes('States.ALL') && (r.ErrorEquals.length > 1 || i !== raw.Retry!.length - 1))
        throw new Error('States.ALL must appear alone in the last Retrier');
      return {
        errorEquals: r.ErrorEquals,
        intervalSeconds: r.IntervalSeconds ?? 1,
        maxAttempts: r.MaxAttempts ?? 3,
        backoffRate: r.BackoffRate ?? 2,
        maxDelaySeconds: r.MaxDelaySeconds,
        jitter: r.JitterStrategy ?? 'NONE',
      };
    }),
    catch: (raw.Catch ?? []).map((c, i) => {
      if (c.ErrorEquals.includes('States.ALL') && (c.ErrorEquals.length > 1 || i !== raw.Catch!.length - 1))
        throw new Error('States.ALL must appear alone in the last Catcher');
      return { errorEquals: c.ErrorEquals, next: c.Next, resultPath: resultPath(c.ResultPath, 'Catch ResultPath'), assign: tpl(c.Assign, 'Catch Assign') };
    }),
  };
  const allowed = (fields: string[]): void => {
    for (const f of fields) if (raw[f] !== undefined) throw new Error(`field ${f} is not allowed in a ${type} state`);
  };
  switch (type) {
    case 'Pass':
      allowed(['Retry', 'Catch', 'ResultSelector']);
      return { ...base, type, result: raw.Result, hasResult: 'Result' in raw };
    case 'Succeed':
      allowed(['Retry', 'Catch', 'ResultSelector', 'ResultPath', 'Parameters', 'Assign']);
      return { ...base, type };
    case 'Fail': {
      allowed(['Retry', 'Catch', 'ResultSelector', 'ResultPath', 'Parameters', 'Assign', 'InputPath', 'OutputPath']);
      const expr = (key: string): Template | undefined => {
        const v = strField(raw, key);
        return v === undefined ? undefined : compileExpression(v, key, { field: key, random: opts.random });
      };
      if (raw.Error !== undefined && raw.ErrorPath !== undefined) throw new Error('has both Error and ErrorPath');
      if (raw.Cause !== undefined && raw.CausePath !== undefined) throw new Error('has both Cause and CausePath');
      return { ...base, type, error: strField(raw, 'Error'), cause: strField(raw, 'Cause'), errorPath: expr('ErrorPath'), causePath: expr('CausePath') };
    }
    case 'Wait': {
      allowed(['Retry', 'Catch', 'ResultSelector', 'ResultPath', 'Parameters']);
      const fields = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter((f) => raw[f] !== undefined);
      if (fields.length !== 1) throw new Error('a Wait state needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath');
      const timestamp = strField(raw, 'Timestamp');
      if (timestamp !== undefined && Number.isNaN(Date.parse(timestamp))) throw new Error(`Timestamp '${timestamp}' is not an ISO 8601 timestamp`);
      return {
        ...base,
        type,
        seconds: num(raw, 'Seconds', 0),
        secondsPath: path(strField(raw, 'SecondsPath'), 'SecondsPath') ?? undefined,
        timestamp,
        timestampPath: path(strField(raw, 'TimestampPath'), 'TimestampPath') ?? undefined,
      };
    }
    case 'Choice': {
      allowed(['Retry', 'Catch', 'ResultSelector', 'ResultPath', 'Parameters']);
      const rawChoices = raw.Choices;
      if (!Array.isArray(rawChoices) || rawChoices.length === 0) throw new Error('a Choice state needs a non-empty Choices array');
      const choices = rawChoices.map((c: unknown, i: number) => {
        if (!c || typeof c !== 'object') throw new Error(`Choices[${i}] must be an object`);
        const rule = c as Record<string, unknown>;
        if (typeof rule.Next !== 'string') throw new Error(`Choices[${i}] needs Next`);
        const { Next: next, Assign: assign, Comment: _comment, ...test } = rule;
        return { test: compileRule(test, `Choices[${i}]`), next, assign: tpl(assign, `Choices[${i}].Assign`) };
      });
      return { ...base, type, choices, default: strField(raw, 'Default') };
    }
    case 'Task': {
      const resource = strField(raw, 'Resource');
      if (!resource) throw new Error('a Task state needs a Resource');
      if (resource.endsWith('.sync') || resource.endsWith('.sync:2'))
        throw new SfnError('InvalidDefinition', `State '${prefix}${name}': the .sync integration pattern of '${resource}' is not supported locally`);
      const waitForTaskToken = resource.endsWith('.waitForTaskToken');
      const bare = waitForTaskToken ? resource.slice(0, -'.waitForTaskToken'.length) : resource;
      let handler: TaskHandler | undefined;
      for (const r of opts.resolvers) {
        handler = r.resolve(bare);
        if (handler) break;
      }
      if (!handler)
        throw new SfnError('InvalidDefinition', `State '${prefix}${name}': no local integration handles the resource '${resource}'`);
      resources.push(resource);
      if (raw.TimeoutSeconds !== undefined && raw.TimeoutSecondsPath !== undefined) throw new Error('has both TimeoutSeconds and TimeoutSecondsPath');
      if (raw.HeartbeatSeconds !== undefined && raw.HeartbeatSecondsPath !== undefined) throw new Error('has both HeartbeatSeconds and HeartbeatSecondsPath');
      const timeoutSeconds = num(raw, 'TimeoutSeconds', 1);
      const heartbeatSeconds = num(raw, 'HeartbeatSeconds', 1);
      if (timeoutSeconds !== undefined && heartbeatSeconds !== undefined && heartbeatSeconds >= timeoutSeconds)
        throw new Error('HeartbeatSeconds must be smaller than TimeoutSeconds');
      const { resourceType, resourceName } = describeResource(resource);
      return {
        ...base,
        type,
        resource: bare,
        waitForTaskToken,
        handler,
        resourceType,
        resourceName,
        timeoutSeconds,
        timeoutSecondsPath: path(strField(raw, 'TimeoutSecondsPath'), 'TimeoutSecondsPath') ?? undefined,
        heartbeatSeconds,
        heartbeatSecondsPath: path(strField(raw, 'HeartbeatSecondsPath'), 'HeartbeatSecondsPath') ?? undefined,
      };
    }
    case 'Parallel': {
      const branches = raw.Branches;
      if (!Array.isArray(branches) || branches.length === 0) throw new Error('a Parallel state needs a non-empty Branches array');
      return {
        ...base,
        type,
        branches: branches.map((b: unknown, i: number) => {
          const g = GraphSchema.safeParse(b);
          if (!g.success) throw new Error(`Branches[${i}]: ${zodMessage(g.error)}`);
          return compileGraph(g.data, `${prefix}${name}.Branches[${i}].`, opts, resources);
        }),
      };
    }
    case 'Map': {
      const proc = raw.ItemProcessor ?? raw.Iterator;
      const g = GraphSchema.safeParse(proc);
      if (!g.success) throw new Error(`ItemProcessor: ${zodMessage(g.error)}`);
      const mode = (g.data.ProcessorConfig as { Mode?: string } | undefined)?.Mode;
      if (mode === 'DISTRIBUTED') throw new Error('Distributed Map is not supported by the local engine; use INLINE');
      if (raw.ItemReader !== undefined || raw.ResultWriter !== undefined) throw new Error('ItemReader/ResultWriter need Distributed Map, which is not supported locally');
      if (raw.ItemSelector !== undefined && raw.Parameters !== undefined) throw new Error('has both ItemSelector and Parameters');
      const pct = raw.ToleratedFailurePercentage;
      if (pct !== undefined && (typeof pct !== 'number' || pct < 0 || pct > 100)) throw new Error('ToleratedFailurePercentage must be between 0 and 100');
      return {
        ...base,
        // In a Map, Parameters is the legacy name of ItemSelector, not a payload for the state.
        parameters: undefined,
        type,
        itemsPath: path(strField(raw, 'ItemsPath'), 'ItemsPath') ?? undefined,
        itemSelector: tpl(raw.ItemSelector ?? raw.Parameters, 'ItemSelector'),
        processor: compileGraph(g.data, `${prefix}${name}.ItemProcessor.`, opts, resources),
        maxConcurrency: num(raw, 'MaxConcurrency', 0) ?? 0,
        maxConcurrencyPath: path(strField(raw, 'MaxConcurrencyPath'), 'MaxConcurrencyPath') ?? undefined,
        toleratedFailureCount: num(raw, 'ToleratedFailureCount', 0),
        toleratedFailureCountPath: path(strField(raw, 'ToleratedFailureCountPath'), 'ToleratedFailureCountPath') ?? undefined,
        toleratedFailurePercentage: pct as number | undefined,
        toleratedFailurePercentagePath: path(strField(raw, 'ToleratedFailurePercentagePath'), 'ToleratedFailurePercentagePath') ?? undefined,
      };
    }
  }
}

/** Splits a Resource into the history's resourceType/resource, as the console shows them. */
export function describeResource(resource: string): { resourceType: string; resourceName: string } {
  const m = /^arn:[^:]+:states:::([^:]+):(.+)$/.exec(resource);
  if (m) return { resourceType: m[1]!, resourceName: m[2]! };
  const l = /^arn:[^:]+:lambda:/.exec(resource);
  if (l) return { resourceType: 'lambda', resourceName: resource };
  const a = /^arn:[^:]+:states:[^:]*:[^:]*:activity:/.exec(resource);
  if (a) return { resourceType: 'activity', resourceName: resource };
  return { resourceType: 'unknown', resourceName: resource };
}
