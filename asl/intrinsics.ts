/**
 * Typed helpers for the States.* intrinsic functions. Each returns an Expr, which a payload
 * template writes under a `.$` key. Arguments are paths (Expr) or literals; literals are quoted
 * and escaped here so a reason text with a quote cannot break the definition.
 */
import { Expr, pathProblem } from './paths.ts';

export type IntrinsicArg = Expr | string | number | boolean | null;

/** Every intrinsic function ASL defines, with the number of arguments it takes. */
export const IntrinsicFunctions = {
  'States.Format': [1, Infinity],
  'States.StringToJson': [1, 1],
  'States.JsonToString': [1, 1],
  'States.Array': [0, Infinity],
  'States.ArrayPartition': [2, 2],
  'States.ArrayContains': [2, 2],
  'States.ArrayRange': [3, 3],
  'States.ArrayGetItem': [2, 2],
  'States.ArrayLength': [1, 1],
  'States.ArrayUnique': [1, 1],
  'States.Base64Encode': [1, 1],
  'States.Base64Decode': [1, 1],
  'States.Hash': [2, 2],
  'States.JsonMerge': [3, 3],
  'States.MathRandom': [2, 3],
  'States.MathAdd': [2, 2],
  'States.StringSplit': [2, 2],
  'States.UUID': [0, 0],
} as const satisfies Record<string, readonly [number, number]>;
export type IntrinsicName = keyof typeof IntrinsicFunctions;

function literal(arg: IntrinsicArg): string {
  if (arg instanceof Expr) return arg.text;
  if (typeof arg === 'string') return `'${arg.replace(/[\\'{}]/g, (c) => `\\${c}`)}'`;
  return String(arg);
}

function call(name: IntrinsicName, args: IntrinsicArg[]): Expr {
  return new Expr(`${name}(${args.map(literal).join(', ')})`);
}

export const States = {
  /** `template` uses `{}` placeholders, filled in order by `args`. */
  format(template: string, ...args: IntrinsicArg[]): Expr {
    // Braces in the template are placeholders, so only quotes and backslashes are escaped.
    return new Expr(`States.Format('${template.replace(/[\\']/g, (c) => `\\${c}`)}'${args.map((a) => `, ${literal(a)}`).join('')})`);
  },
  stringToJson: (value: IntrinsicArg) => call('States.StringToJson', [value]),
  jsonToString: (value: Expr) => call('States.JsonToString', [value]),
  array: (...items: IntrinsicArg[]) => call('States.Array', items),
  arrayPartition: (array: Expr, size: IntrinsicArg) => call('States.ArrayPartition', [array, size]),
  arrayContains: (array: Expr, value: IntrinsicArg) => call('States.ArrayContains', [array, value]),
  arrayRange: (start: IntrinsicArg, end: IntrinsicArg, step: IntrinsicArg) => call('States.ArrayRange', [start, end, step]),
  arrayGetItem: (array: Expr, index: IntrinsicArg) => call('States.ArrayGetItem', [array, index]),
  arrayLength: (array: Expr) => call('States.ArrayLength', [array]),
  arrayUnique: (array: Expr) => call('States.ArrayUnique', [array]),
  base64Encode: (value: IntrinsicArg) => call('States.Base64Encode', [value]),
  base64Decode: (value: IntrinsicArg) => call('States.Base64Decode', [value]),
  hash: (value: IntrinsicArg, algorithm: 'MD5' | 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512') => call('States.Hash', [value, algorithm]),
  jsonMerge: (a: Expr, b: Expr, deep: false) => call('States.JsonMerge', [a, b, deep]),
  mathRandom: (start: IntrinsicArg, end: IntrinsicArg, seed?: IntrinsicArg) =>
    call('States.MathRandom', seed === undefined ? [start, end] : [start, end, seed]),
  mathAdd: (value: IntrinsicArg, step: IntrinsicArg) => call('States.MathAdd', [value, step]),
  stringSplit: (value: IntrinsicArg, separator: IntrinsicArg) => call('States.StringSplit', [value, separator]),
  uuid: () => call('States.UUID', []),
} as const;

/** Returns why a `.$` value is neither a valid path nor a valid intrinsic call, or undefined. */
export function expressionProblem(text: string): string | undefined {
  if (text.startsWith('States.')) return intrinsicProblem(text);
  return pathProblem(text, 'path');
}

function intrinsicProblem(text: string): string | undefined {
  const open = text.indexOf('(');
  if (open < 0 || !text.endsWith(')')) return `'${text}' is not a call: expected States.Name(arguments)`;
  const name = text.slice(0, open);
  const arity = (IntrinsicFunctions as Record<string, readonly [number, number]>)[name];
  if (!arity) return `'${name}' is not an intrinsic function`;
  const args = splitArguments(text.slice(open + 1, -1));
  if (typeof args === 'string') return `'${text}': ${args}`;
  if (args.length < arity[0] || args.length > arity[1]) {
    return `'${name}' takes ${arity[0] === arity[1] ? arity[0] : `${arity[0]} to ${arity[1]}`} arguments, got ${args.length}`;
  }
  for (const arg of args) {
    if (/^'(?:[^'\\]|\\.)*'$/.test(arg) || /^-?\d+(\.\d+)?$/.test(arg) || /^(true|false|null)$/.test(arg)) continue;
    const problem = arg.startsWith('States.') ? intrinsicProblem(arg) : pathProblem(arg, 'path');
    if (problem) return problem;
  }
  return undefined;
}

/** Splits top-level arguments, respecting quotes and nested calls. */
function splitArguments(inner: string): string[] | string {
  const args: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] as string;
    if (quoted) {
      current += c;
      if (c === '\\') current += inner[++i] ?? '';
      else if (c === "'") quoted = false;
      continue;
    }
    if (c === "'") quoted = true;
    else if (c === '(') depth++;
    else if (c === ')') depth--;
    if (c === ',' && depth === 0) {
      args.push(current.trim());
      current = '';
    } else current += c;
  }
  if (quoted) return 'unterminated string literal';
  if (depth !== 0) return 'unbalanced parentheses';
  if (current.trim().length > 0 || args.length > 0) args.push(current.trim());
  if (args.some((a) => a.length === 0)) return 'empty argument';
  return args;
}
