/**
 * Checks a serialised definition (plain ASL JSON), so it applies to DSL output and to any
 * definition handed to the local engine alike. Every message names the state it is about.
 */
import { expressionProblem } from './intrinsics.ts';
import { pathProblem, type PathKind } from './paths.ts';

export class AslValidationError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid state machine definition:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'AslValidationError';
  }
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Throws AslValidationError listing every problem found. */
export function validateDefinition(definition: unknown): void {
  const problems = definitionProblems(definition);
  if (problems.length > 0) throw new AslValidationError(problems);
}

export function definitionProblems(definition: unknown): string[] {
  if (!isObj(definition)) return ['The definition must be a JSON object'];
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const t = definition.TimeoutSeconds;
  if (t !== undefined && (!Number.isInteger(t) || (t as number) <= 0)) problems.push(`TimeoutSeconds must be a positive whole number of seconds, got ${JSON.stringify(t)}`);
  checkScope(definition, 'the top level', problems, seen);
  return problems;
}

function checkScope(graph: Obj, scope: string, problems: string[], seen: Map<string, string>): void {
  const states = isObj(graph.States) ? graph.States : {};
  const names = Object.keys(states);
  if (names.length === 0) problems.push(`${cap(scope)} has no states`);
  for (const name of names) {
    const other = seen.get(name);
    if (other !== undefined) problems.push(`State name '${name}' occurs in both ${other} and ${scope}; names must be unique in the whole state machine`);
    else seen.set(name, scope);
  }
  const startAt = graph.StartAt;
  if (typeof startAt !== 'string' || !(startAt in states)) {
    problems.push(`StartAt '${String(startAt)}' of ${scope} names no state there`);
  }

  const edges = new Map<string, { target: string; kind: string }[]>();
  const terminals = new Set<string>();
  for (const name of names) {
    const state = states[name];
    if (!isObj(state)) {
      problems.push(`State '${name}' must be an object`);
      continue;
    }
    const out = checkState(name, state, states, scope, problems, seen);
    edges.set(name, out);
    if (state.Type === 'Succeed' || state.Type === 'Fail' || state.End === true) terminals.add(name);
  }

  if (typeof startAt !== 'string' || !(startAt in states)) return;
  const reachable = walk([startAt], (n) => (edges.get(n) ?? []).map((e) => e.target));
  for (const name of names) {
    if (!reachable.has(name)) problems.push(`State '${name}' is not reachable from StartAt '${startAt}' in ${scope}`);
  }

  const reverse = new Map<string, string[]>();
  for (const [from, out] of edges) for (const e of out) reverse.set(e.target, [...(reverse.get(e.target) ?? []), from]);
  const canFinish = walk([...terminals], (n) => reverse.get(n) ?? []);
  for (const name of names) {
    if (reachable.has(name) && !canFinish.has(name)) problems.push(`No Succeed, Fail or End state can be reached from state '${name}' in ${scope}`);
  }

  for (const loop of stronglyConnected([...reachable], (n) => (edges.get(n) ?? []).map((e) => e.target))) {
    const members = new Set(loop);
    const listed = loop.map((n) => `'${n}'`).join(', ');
    if (!loop.some((n) => (states[n] as Obj).Type === 'Wait')) {
      problems.push(`The loop through states ${listed} has no Wait state, so it would repeat without pause`);
    }
    const exits = loop.some((n) => (states[n] as Obj).Type === 'Choice' && (edges.get(n) ?? []).some((e) => !members.has(e.target)));
    if (!exits) problems.push(`The loop through states ${listed} has no Choice that can leave it`);
  }
}

function checkState(name: string, state: Obj, states: Obj, scope: string, problems: string[], seen: Map<string, string>) {
  const out: { target: string; kind: string }[] = [];
  const say = (message: string) => problems.push(`State '${name}': ${message}`);
  const target = (next: unknown, kind: string) => {
    if (typeof next !== 'string' || !(next in states)) say(`goes to '${String(next)}' (${kind}), but ${scope} has no state with that name`);
    else out.push({ target: next, kind });
  };
  const type = state.Type;
  const path = (field: string, kind: PathKind) => {
    const v = state[field];
    if (v === undefined || v === null) return;
    const p = typeof v === 'string' ? pathProblem(v, kind) : `must be a string`;
    if (p) say(`${field} ${p}`);
  };
  path('InputPath', 'path');
  path('OutputPath', 'path');
  path('ResultPath', 'result');
  for (const field of ['Parameters', 'ResultSelector', 'ItemSelector', 'Assign']) template(state[field], field, say);

  switch (type) {
    case 'Task':
    case 'Pass':
    case 'Wait':
    case 'Parallel':
    case 'Map':
      if (state.Next !== undefined) target(state.Next, 'Next');
      else if (state.End !== true) say('has neither Next nor End');
      if (state.Next !== undefined && state.End === true) say('has both Next and End');
      break;
    case 'Choice': {
      const choices = Array.isArray(state.Choices) ? state.Choices : [];
      if (choices.length === 0) say('a Choice needs at least one rule in Choices');
      choices.forEach((rule, i) => {
        if (!isObj(rule)) return say(`Choices[${i}] must be an object`);
        target(rule.Next, `Choices[${i}]`);
        conditionPaths(rule, `Choices[${i}]`, say);
        template(rule.Assign, `Choices[${i}].Assign`, say);
      });
      if (state.Default !== undefined) target(state.Default, 'Default');
      break;
    }
    case 'Succeed':
      break;
    case 'Fail':
      for (const field of ['ErrorPath', 'CausePath']) {
        const v = state[field];
        if (v === undefined) continue;
        const p = typeof v === 'string' ? expressionProblem(v) : 'must be a string';
        if (p) say(`${field} ${p}`);
      }
      break;
    default:
      say(`unknown Type '${String(type)}'`);
  }

  if (type === 'Wait') {
    const forms = ['Seconds', 'SecondsPath', 'Timestamp', 'TimestampPath'].filter((f) => state[f] !== undefined);
    if (forms.length !== 1) say(`a Wait needs exactly one of Seconds, SecondsPath, Timestamp, TimestampPath (has ${forms.length})`);
    path('SecondsPath', 'reference');
    path('TimestampPath', 'reference');
  }
  if (type === 'Parallel') {
    const branches = Array.isArray(state.Branches) ? state.Branches : [];
    if (branches.length === 0) say('a Parallel state needs at least one branch');
    branches.forEach((b, i) => (isObj(b) ? checkScope(b, `branch ${i + 1} of '${name}'`, problems, seen) : say(`Branches[${i}] must be an object`)));
  }
  if (type === 'Map') {
    path('ItemsPath', 'reference');
    const processor = state.ItemProcessor ?? state.Iterator;
    if (!isObj(processor)) say('a Map state needs an ItemProcessor');
    else checkScope(processor, `item processor of '${name}'`, problems, seen);
  }
  if (type === 'Task' || type === 'Parallel' || type === 'Map') {
    errorRules(state.Retry, 'Retry', say);
    errorRules(state.Catch, 'Catch', say);
    if (Array.isArray(state.Catch)) {
      state.Catch.forEach((c, i) => {
        if (!isObj(c)) return;
        target(c.Next, `Catch[${i}]`);
        const rp = c.ResultPath;
        if (typeof rp === 'string') {
          const p = pathProblem(rp, 'result');
          if (p) say(`Catch[${i}].ResultPath ${p}`);
        }
        template(c.Assign, `Catch[${i}].Assign`, say);
      });
    }
  }
  return out;
}

function errorRules(rules: unknown, field: 'Retry' | 'Catch', say: (m: string) => void): void {
  if (rules === undefined) return;
  if (!Array.isArray(rules)) return say(`${field} must be an array`);
  rules.forEach((rule, i) => {
    const errors = isObj(rule) && Array.isArray(rule.ErrorEquals) ? (rule.ErrorEquals as unknown[]) : [];
    if (errors.length === 0) say(`${field}[${i}] needs a non-empty ErrorEquals`);
    if (errors.includes('States.ALL')) {
      if (errors.length > 1) say(`${field}[${i}] lists States.ALL with other errors; States.ALL must appear alone`);
      if (i !== rules.length - 1) say(`${field}[${i}] catches States.ALL but is not the last ${field === 'Retry' ? 'retrier' : 'catcher'}, so the ones after it never apply`);
    }
  });
}

const comparisonPath = /^(String|Numeric|Boolean|Timestamp)(Equals|LessThan|GreaterThan|LessThanEquals|GreaterThanEquals)Path$/;

function conditionPaths(rule: Obj, where: string, say: (m: string) => void): void {
  for (const op of ['And', 'Or']) {
    if (Array.isArray(rule[op])) (rule[op] as unknown[]).forEach((r, i) => isObj(r) && conditionPaths(r, `${where}.${op}[${i}]`, say));
  }
  if (isObj(rule.Not)) conditionPaths(rule.Not, `${where}.Not`, say);
  if (rule.And === undefined && rule.Or === undefined && rule.Not === undefined) {
    if (typeof rule.Variable !== 'string') return say(`${where} needs a Variable`);
    const p = pathProblem(rule.Variable, 'reference');
    if (p) say(`${where}.Variable ${p}`);
  }
  for (const [key, value] of Object.entries(rule)) {
    if (!comparisonPath.test(key)) continue;
    const p = typeof value === 'string' ? pathProblem(value, 'reference') : 'must be a string';
    if (p) say(`${where}.${key} ${p}`);
  }
}

function template(value: unknown, where: string, say: (m: string) => void): void {
  if (Array.isArray(value)) return value.forEach((v, i) => template(v, `${where}[${i}]`, say));
  if (!isObj(value)) return;
  for (const [key, v] of Object.entries(value)) {
    if (key.endsWith('.$')) {
      const p = typeof v === 'string' ? expressionProblem(v) : 'must be a path or intrinsic function string';
      if (p) say(`${where}.${key} ${p}`);
    } else template(v, `${where}.${key}`, say);
  }
}

function walk(starts: string[], next: (n: string) => string[]): Set<string> {
  const seen = new Set<string>(starts);
  const queue = [...starts];
  while (queue.length > 0) {
    for (const m of next(queue.shift() as string)) {
      if (!seen.has(m)) {
        seen.add(m);
        queue.push(m);
      }
    }
  }
  return seen;
}

/** Tarjan's algorithm; returns only components that form a loop (more than one state, or a self-loop). */
function stronglyConnected(nodes: string[], next: (n: string) => string[]): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const loops: string[][] = [];
  let counter = 0;
  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v) as number, index.get(w) as number));
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next(v).includes(v)) loops.push(component.reverse());
    }
  };
  for (const n of nodes) if (!index.has(n)) visit(n);
  return loops;
}

function cap(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
