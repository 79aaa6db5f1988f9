/**
 * The States.* intrinsic functions. Calls are parsed once when the machine is created (a syntax
 * error is an invalid definition) and evaluated per state; bad arguments raise States.IntrinsicFailure.
 */
import { seededRandom } from './seeded-random.ts';
import { createHash, randomUUID } from 'node:crypto';
import { compilePath, NOT_FOUND, type PathScope } from './paths.ts';
import { States, StatesError } from './states-error.ts';

type Arg =
  /** `template` keeps escaped braces distinguishable (States.Format must not treat `\\{}` as a placeholder). */
  | { kind: 'literal'; value: unknown; template?: string }
  | { kind: 'path'; text: string }
  | { kind: 'call'; call: IntrinsicCall };

export interface IntrinsicCall {
  name: string;
  args: Arg[];
}

export class IntrinsicSyntaxError extends Error {
  override name = 'IntrinsicSyntaxError';
}

export function looksLikeIntrinsic(text: string): boolean {
  return text.startsWith('States.');
}

/** Parses `States.Name(arg, ...)`; the whole string must be one call. */
export function parseIntrinsic(text: string): IntrinsicCall {
  let i = 0;
  const fail = (why: string): never => {
    throw new IntrinsicSyntaxError(`invalid intrinsic function '${text}': ${why} at position ${i}`);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  const call = (): IntrinsicCall => {
    const m = /^States\.[A-Za-z0-9]+/.exec(text.slice(i));
    if (!m) return fail('expected States.<Function>');
    const name = m[0];
    if (!(name in FUNCTIONS)) fail(`unknown function ${name}`);
    i += name.length;
    ws();
    if (text[i] !== '(') fail("expected '('");
    i++;
    const args: Arg[] = [];
    ws();
    if (text[i] === ')') {
      i++;
      return { name, args };
    }
    for (;;) {
      ws();
      args.push(arg());
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ')') {
        i++;
        return { name, args };
      }
      fail("expected ',' or ')'");
    }
  };
  const arg = (): Arg => {
    const c = text[i];
    if (c === "'") {
      i++;
      let s = '';
      let template = '';
      while (i < text.length && text[i] !== "'") {
        if (text[i] === '\\' && i + 1 < text.length) {
          const c = text[i + 1]!;
          s += c;
          template += c === '{' ? ESCAPED_OPEN : c === '}' ? ESCAPED_CLOSE : c;
          i += 2;
        } else {
          s += text[i];
          template += text[i++];
        }
      }
      if (text[i] !== "'") fail('unterminated string');
      i++;
      return { kind: 'literal', value: s, template };
    }
    if (c === '$') {
      const start = i;
      let depth = 0;
      while (i < text.length) {
        const ch = text[i]!;
        if (ch === '[' || ch === '(') depth++;
        else if (ch === ']' || ch === ')') {
          if (depth === 0) break;
          depth--;
        } else if (ch === ',' && depth === 0) break;
        else if (/\s/.test(ch) && depth === 0) break;
        i++;
      }
      const p = text.slice(start, i);
      compilePath(p);
      return { kind: 'path', text: p };
    }
    if (text.startsWith('States.', i)) return { kind: 'call', call: call() };
    const m = /^(-?\d+(\.\d+)?([eE][+-]?\d+)?|true|false|null)/.exec(text.slice(i));
    if (!m) return fail('expected a string, number, boolean, null, path or intrinsic');
    i += m[0].length;
    return { kind: 'literal', value: JSON.parse(m[0]) };
  };
  ws();
  const c = call();
  ws();
  if (i !== text.length) fail('unexpected text after the call');
  return c;
}

function failure(fn: string, why: string): StatesError {
  return new StatesError(States.IntrinsicFailure, `${fn}: ${why}`);
}

function typeName(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

type Impl = (args: unknown[], fn: string, random: () => number) => unknown;

function arity(fn: string, args: unknown[], min: number, max = min): void {
  if (args.length < min || args.length > max)
    throw failure(fn, `expects ${min === max ? min : `${min} to ${max}`} arguments, got ${args.length}`);
}
function str(fn: string, v: unknown, what: string): string {
  if (typeof v !== 'string') throw failure(fn, `${what} must be a string, got ${typeName(v)}`);
  return v;
}
function arr(fn: string, v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw failure(fn, `${what} must be an array, got ${typeName(v)}`);
  return v;
}
function num(fn: string, v: unknown, what: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v)) throw failure(fn, `${what} must be a number, got ${typeName(v)}`);
  return v;
}
function int(fn: string, v: unknown, what: string): number {
  const n = num(fn, v, what);
  if (!Number.isInteger(n)) throw failure(fn, `${what} must be an integer, got ${n}`);
  return n;
}

/** Structural equality of JSON values (ArrayContains, ArrayUnique). */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => jsonEqual(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => Object.hasOwn(b, k) && jsonEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/** Stand-ins for escaped braces inside a States.Format template, restored after placeholders are found. */
const ESCAPED_OPEN = '\uE000';
const ESCAPED_CLOSE = '\uE001';

const MAX_STRING = 10_000;
const MAX_RANGE_ITEMS = 1000;
const HASHES: Record<string, string> = { MD5: 'md5', 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

const FUNCTIONS: Record<string, Impl> = {
  'States.Format': (args, fn) => {
    if (args.length < 1) throw failure(fn, 'expects a template string');
    const template = str(fn, args[0], 'the template');
    const values = args.slice(1);
    const parts = template.split('{}');
    if (parts.length - 1 !== values.length)
      throw failure(fn, `the template has ${parts.length - 1} placeholders but ${values.length} values were given`);
    const unescape = (t: string): string => t.replaceAll(ESCAPED_OPEN, '{').replaceAll(ESCAPED_CLOSE, '}');
    let out = unescape(parts[0]!);
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      if (v !== null && typeof v === 'object') throw failure(fn, `value ${k + 1} must be a string, number, boolean or null, got ${typeName(v)}`);
      out += (typeof v === 'string' ? v : JSON.stringify(v)) + unescape(parts[k + 1]!);
    }
    return out;
  },
  'States.StringToJson': (args, fn) => {
    arity(fn, args, 1);
    const s = str(fn, args[0], 'the argument');
    try {
      return JSON.parse(s) as unknown;
    } catch (e) {
      throw failure(fn, `the argument is not valid JSON (${(e as Error).message})`);
    }
  },
  'States.JsonToString': (args, fn) => {
    arity(fn, args, 1);
    return JSON.stringify(args[0]);
  },
  'States.Array': (args) => args,
  'States.ArrayPartition': (args, fn) => {
    arity(fn, args, 2);
    const a = arr(fn, args[0], 'the first argument');
    const size = int(fn, args[1], 'the chunk size');
    if (size <= 0) throw failure(fn, `the chunk size must be positive, got ${size}`);
    const out: unknown[][] = [];
    for (let k = 0; k < a.length; k += size) out.push(a.slice(k, k + size));
    return out;
  },
  'States.ArrayContains': (args, fn) => {
    arity(fn, args, 2);
    return arr(fn, args[0], 'the first argument').some((x) => jsonEqual(x, args[1]));
  },
  'States.ArrayRange': (args, fn) => {
    arity(fn, args, 3);
    const start = int(fn, args[0], 'start');
    const end = int(fn, args[1], 'end');
    const step = int(fn, args[2], 'step');
    if (step === 0) throw failure(fn, 'step must not be 0');
    const out: number[] = [];
    for (let v = start; step > 0 ? v <= end : v >= end; v += step) {
      out.push(v);
      if (out.length > MAX_RANGE_ITEMS) throw failure(fn, `the range has more than ${MAX_RANGE_ITEMS} items`);
    }
    return out;
  },
  'States.ArrayGetItem': (args, fn) => {
    arity(fn, args, 2);
    const a = arr(fn, args[0], 'the first argument');
    const index = int(fn, args[1], 'the index');
    if (index < 0 || index >= a.length) throw failure(fn, `index ${index} is out of bounds for an array of ${a.length}`);
    return a[index];
  },
  'States.ArrayLength': (args, fn) => {
    arity(fn, args, 1);
    return arr(fn, args[0], 'the argument').length;
  },
  'States.ArrayUnique': (args, fn) => {
    arity(fn, args, 1);
    const out: unknown[] = [];
    for (const x of arr(fn, args[0], 'the argument')) if (!out.some((y) => jsonEqual(x, y))) out.push(x);
    return out;
  },
  'States.Base64Encode': (args, fn) => {
    arity(fn, args, 1);
    const s = str(fn, args[0], 'the argument');
    if (s.length > MAX_STRING) throw failure(fn, `the input is longer than ${MAX_STRING} characters`);
    return Buffer.from(s, 'utf8').toString('base64');
  },
  'States.Base64Decode': (args, fn) => {
    arity(fn, args, 1);
    const s = str(fn, args[0], 'the argument');
    if (s.length > MAX_STRING) throw failure(fn, `the input is longer than ${MAX_STRING} characters`);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) throw failure(fn, 'the argument is not valid base64');
    return Buffer.from(s, 'base64').toString('utf8');
  },
  'States.Hash': (args, fn) => {
    arity(fn, args, 2);
    if (args[0] === null || args[0] === undefined) throw failure(fn, 'the data must not be null');
    const data = typeof args[0] === 'string' ? args[0] : JSON.stringify(args[0]);
    if (data.length > MAX_STRING) throw failure(fn, `the data is longer than ${MAX_STRING} characters`);
    const algorithm = str(fn, args[1], 'the algorithm');
    const node = HASHES[algorithm];
    if (!node) throw failure(fn, `unsupported algorithm '${algorithm}' (use one of ${Object.keys(HASHES).join(', ')})`);
    return createHash(node).update(data, 'utf8').digest('hex');
  },
  'States.JsonMerge': (args, fn) => {
    arity(fn, args, 3);
    const [a, b, deep] = args;
    const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);
    if (!isObj(a) || !isObj(b)) throw failure(fn, 'both values to merge must be JSON objects');
    if (deep !== false) throw failure(fn, 'only shallow merge is supported: the third argument must be false');
    return { ...a, ...b };
  },
  'States.MathRandom': (args, fn, random) => {
    arity(fn, args, 2, 3);
    const start = int(fn, args[0], 'start');
    const end = int(fn, args[1], 'end');
    if (end <= start) throw failure(fn, `end (${end}) must be greater than start (${start})`);
    const r = args.length === 3 ? seededRandom(int(fn, args[2], 'seed'))() : random();
    return start + Math.floor(r * (end - start));
  },
  'States.MathAdd': (args, fn) => {
    arity(fn, args, 2);
    return num(fn, args[0], 'the first value') + num(fn, args[1], 'the second value');
  },
  'States.StringSplit': (args, fn) => {
    arity(fn, args, 2);
    const s = str(fn, args[0], 'the string');
    const delims = str(fn, args[1], 'the delimiter');
    if (delims === '') throw failure(fn, 'the delimiter must not be empty');
    const out: string[] = [];
    let cur = '';
    for (const ch of s) {
      if (delims.includes(ch)) {
        if (cur !== '') out.push(cur);
        cur = '';
      } else cur += ch;
    }
    if (cur !== '') out.push(cur);
    return out;
  },
  'States.UUID': (args, fn) => {
    arity(fn, args, 0);
    return randomUUID();
  },
};

export function evaluateIntrinsic(call: IntrinsicCall, scope: PathScope, random: () => number): unknown {
  const values = call.args.map((a, i) => {
    if (a.kind === 'literal') return i === 0 && call.name === 'States.Format' && a.template !== undefined ? a.template : a.value;
    if (a.kind === 'call') return evaluateIntrinsic(a.call, scope, random);
    const v = compilePath(a.text).get(scope);
    if (v === NOT_FOUND)
      throw new StatesError(States.ParameterPathFailure, `${call.name}: the path '${a.text}' in its arguments selected nothing`);
    return v;
  });
  return FUNCTIONS[call.name]!(values, call.name, random);
}
