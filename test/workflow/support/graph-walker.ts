/**
 * Walks a rendered ASL definition with scripted task outcomes, to check routing, variables and
 * the number of states entered without any AWS service. It implements only what the
 * reconciliation definition uses (JSONPath, Assign, Choice, Catch, Parallel, a few intrinsics);
 * the full engine lives in local/engine. Retries are not simulated: a scripted error is the
 * error left after retries.
 */
type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export type TaskOutcome = { result: unknown } | { error: string; cause?: string };
/** Decides each task's outcome; `call` counts entries of that state from 1. */
export type Script = (state: string, call: number, parameters: unknown) => TaskOutcome;

export interface WalkResult {
  /** Every state entered, in order, branch states included. */
  entered: string[];
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  variables: Obj;
  /** Parameters each task was called with, by state name, in call order. */
  calls: Record<string, unknown[]>;
}

export const ExecutionInput = { dialogGroupId: 'DG-1', callId: 'CALL-1' };
const context = (state: string) => ({
  Execution: { Id: 'arn:aws:states:eu-west-1:123456789012:execution:sm:run-1', Input: ExecutionInput },
  State: { EnteredTime: '2026-01-01T00:00:00Z', Name: state },
  Task: { Token: 'token-1' },
});

export function walk(definition: Obj, script: Script, maxSteps = 500): WalkResult {
  const run: WalkResult = { entered: [], status: 'SUCCEEDED', variables: {}, calls: {} };
  const counts = new Map<string, number>();
  const outcome = runGraph(definition, {}, run, script, counts, maxSteps);
  if ('error' in outcome) Object.assign(run, { status: 'FAILED', error: outcome.error, cause: outcome.cause });
  else run.output = outcome.result;
  return run;
}

function runGraph(graph: Obj, input: unknown, run: WalkResult, script: Script, counts: Map<string, number>, maxSteps: number): TaskOutcome {
  const states = graph.States as Record<string, Obj>;
  let name = graph.StartAt as string;
  let data = input;
  for (let step = 0; step < maxSteps; step++) {
    const state = states[name];
    if (!state) throw new Error(`walker: no state '${name}'`);
    run.entered.push(name);
    const ctx = context(name);
    const vars = { ...run.variables };
    const effective = state.InputPath ? read(state.InputPath as string, data, vars, ctx) : data;
    let next: string | undefined;
    let output: unknown = effective;
    switch (state.Type) {
      case 'Fail':
        return {
          error: state.ErrorPath ? String(evaluate(state.ErrorPath as string, effective, vars, ctx)) : String(state.Error),
          cause: state.CausePath ? String(evaluate(state.CausePath as string, effective, vars, ctx)) : String(state.Cause ?? ''),
        };
      case 'Succeed':
        return { result: effective };
      case 'Wait':
        if (state.SecondsPath !== undefined && typeof read(state.SecondsPath as string, effective, vars, ctx) !== 'number') {
          throw new Error(`walker: ${name}.SecondsPath does not read a number`);
        }
        assign(state.Assign, effective, vars, ctx, run);
        next = state.Next as string | undefined;
        break;
      case 'Pass':
        assign(state.Assign, effective, vars, ctx, run);
        next = state.Next as string | undefined;
        break;
      case 'Choice': {
        const rules = state.Choices as Obj[];
        const rule = rules.find((r) => test(r, effective, vars, ctx));
        if (rule) {
          assign(rule.Assign, effective, vars, ctx, run);
          next = rule.Next as string;
        } else next = state.Default as string;
        if (!next) return { error: 'States.NoChoiceMatched', cause: name };
        break;
      }
      case 'Task':
      case 'Parallel': {
        let result: TaskOutcome;
        if (state.Type === 'Task') {
          const parameters = state.Parameters ? template(state.Parameters, effective, vars, ctx) : effective;
          (run.calls[name] ??= []).push(parameters);
          const call = (counts.get(name) ?? 0) + 1;
          counts.set(name, call);
          result = script(name, call, parameters);
        } else {
          const branches = (state.Branches as Obj[]).map((b) => runGraph(b, effective, run, script, counts, maxSteps));
          const failed = branches.find((b) => 'error' in b);
          result = failed ?? { result: branches.map((b) => (b as { result: unknown }).result) };
        }
        if ('error' in result) {
          const errorOutput = { Error: result.error, Cause: result.cause ?? '' };
          const catcher = ((state.Catch as Obj[] | undefined) ?? []).find((c) => {
            const errors = c.ErrorEquals as string[];
            return errors.includes(result.error) || (errors.includes('States.ALL') && result.error !== 'States.Runtime');
          });
          if (!catcher) return result;
          assign(catcher.Assign, errorOutput, vars, ctx, run);
          // A caught error skips the state's OutputPath: the catcher's ResultPath shapes the output.
          data = place(catcher.ResultPath, effective, errorOutput);
          name = catcher.Next as string;
          continue;
        }
        const selected = state.ResultSelector ? template(state.ResultSelector, result.result, vars, ctx) : result.result;
        assign(state.Assign, selected, vars, ctx, run);
        output = place(state.ResultPath, effective, selected);
        next = state.Next as string | undefined;
        break;
      }
      default:
        throw new Error(`walker: unsupported state type ${String(state.Type)}`);
    }
    if (state.OutputPath) output = read(state.OutputPath as string, output, vars, ctx);
    if (state.End === true && !next) return { result: output };
    if (!next) throw new Error(`walker: state '${name}' has neither Next nor End`);
    data = output;
    name = next;
  }
  throw new Error(`walker: more than ${maxSteps} states entered; the graph loops`);
}

function place(resultPath: unknown, input: unknown, result: unknown): unknown {
  if (resultPath === undefined || resultPath === '$') return result;
  if (resultPath === null) return input;
  const keys = (resultPath as string).slice(2).split('.');
  const out = structuredClone(input) as Obj;
  let cursor = out;
  keys.slice(0, -1).forEach((k) => (cursor = (cursor[k] ??= {}) as Obj));
  cursor[keys.at(-1) as string] = result;
  return out;
}

/** Variables assigned by a state take effect together, after the state (as in Step Functions). */
function assign(block: unknown, input: unknown, vars: Obj, ctx: Obj, run: WalkResult): void {
  if (!isObj(block)) return;
  Object.assign(run.variables, template(block, input, vars, ctx));
}

function template(value: unknown, input: unknown, vars: Obj, ctx: Obj): unknown {
  if (Array.isArray(value)) return value.map((v) => template(v, input, vars, ctx));
  if (!isObj(value)) return value;
  const out: Obj = {};
  for (const [k, v] of Object.entries(value)) {
    if (k.endsWith('.$')) out[k.slice(0, -2)] = evaluate(v as string, input, vars, ctx);
    else out[k] = template(v, input, vars, ctx);
  }
  return out;
}

function evaluate(expr: string, input: unknown, vars: Obj, ctx: Obj): unknown {
  const call = /^States\.(\w+)\((.*)\)$/.exec(expr);
  if (!call) return read(expr, input, vars, ctx);
  const args = splitArgs(call[2] as string).map((a) =>
    a.startsWith("'") ? a.slice(1, -1).replace(/\\(.)/g, '$1') : /^-?\d/.test(a) ? Number(a) : evaluate(a, input, vars, ctx),
  );
  switch (call[1]) {
    case 'MathAdd':
      return (args[0] as number) + (args[1] as number);
    case 'JsonToString':
      return JSON.stringify(args[0]);
    case 'Format': {
      let i = 1;
      return (args[0] as string).replace(/\{\}/g, () => String(args[i++]));
    }
    default:
      throw new Error(`walker: intrinsic States.${call[1]} not supported`);
  }
}

function splitArgs(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let quoted = false;
  let cur = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      cur += c;
      if (c === '\\') cur += text[++i];
      else if (c === "'") quoted = false;
      continue;
    }
    if (c === "'") quoted = true;
    if (c === '(') depth++;
    if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      out.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) out.push(cur.trim());
  return out;
}

const missing = Symbol('missing');

function read(path: string, input: unknown, vars: Obj, ctx: Obj): unknown {
  const v = lookup(path, input, vars, ctx);
  if (v === missing) throw new Error(`walker: States.Runtime: path '${path}' matches nothing`);
  return v;
}

function lookup(path: string, input: unknown, vars: Obj, ctx: Obj): unknown {
  let root: unknown;
  let rest: string;
  if (path.startsWith('$$')) [root, rest] = [ctx, path.slice(2)];
  else if (/^\$[A-Za-z_]/.test(path)) {
    const name = /^\$([A-Za-z_][A-Za-z0-9_]*)/.exec(path)?.[1] as string;
    if (!(name in vars)) return missing;
    [root, rest] = [vars[name], path.slice(name.length + 1)];
  } else [root, rest] = [input, path.slice(1)];
  let cursor = root;
  for (const part of rest.match(/\.[^.[]+|\[\d+\]/g) ?? []) {
    const key = part.startsWith('[') ? Number(part.slice(1, -1)) : part.slice(1);
    if (cursor === null || typeof cursor !== 'object' || !(key in (cursor as Obj))) return missing;
    cursor = (cursor as Record<string | number, unknown>)[key];
  }
  return cursor;
}

function test(rule: Obj, input: unknown, vars: Obj, ctx: Obj): boolean {
  if (Array.isArray(rule.And)) return (rule.And as Obj[]).every((r) => test(r, input, vars, ctx));
  if (Array.isArray(rule.Or)) return (rule.Or as Obj[]).some((r) => test(r, input, vars, ctx));
  if (isObj(rule.Not)) return !test(rule.Not, input, vars, ctx);
  const value = lookup(rule.Variable as string, input, vars, ctx);
  if ('IsPresent' in rule) return (value !== missing) === rule.IsPresent;
  if (value === missing) throw new Error(`walker: States.Runtime: Choice reads missing '${String(rule.Variable)}'`);
  if ('StringEquals' in rule) return value === rule.StringEquals;
  if ('NumericLessThan' in rule) return typeof value === 'number' && value < (rule.NumericLessThan as number);
  if ('NumericEquals' in rule) return value === rule.NumericEquals;
  if ('BooleanEquals' in rule) return value === rule.BooleanEquals;
  throw new Error(`walker: unsupported comparison in ${JSON.stringify(rule)}`);
}
