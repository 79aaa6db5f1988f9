/**
 * Payload templates: Parameters, ResultSelector, ItemSelector and Assign. Keys ending in `.$` take
 * their value from a path or an intrinsic call; everything else is copied as written. Templates are
 * compiled once per state into closures, so the per-execution cost is one pass over the dynamic keys.
 */
import { evaluateIntrinsic, looksLikeIntrinsic, parseIntrinsic } from './intrinsics.ts';
import { compilePath, NOT_FOUND, type PathScope } from './paths.ts';
import { States, StatesError } from './states-error.ts';

export type Template = (scope: PathScope) => unknown;

export interface TemplateOptions {
  /** The field being compiled, for error messages (e.g. "Parameters", "ResultSelector"). */
  field: string;
  random: () => number;
}

export function compileTemplate(value: unknown, opts: TemplateOptions): Template {
  if (!isDynamic(value)) return () => value;
  return compileNode(value, opts, opts.field);
}

function isDynamic(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(isDynamic);
  if (value === null || typeof value !== 'object') return false;
  for (const [k, v] of Object.entries(value)) if (k.endsWith('.$') || isDynamic(v)) return true;
  return false;
}

function compileNode(value: unknown, opts: TemplateOptions, where: string): Template {
  if (!isDynamic(value)) return () => value;
  if (Array.isArray(value)) {
    const items = value.map((v, i) => compileNode(v, opts, `${where}[${i}]`));
    return (scope) => items.map((f) => f(scope));
  }
  const entries: { key: string; get: Template }[] = [];
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (k.endsWith('.$')) {
      const key = k.slice(0, -2);
      if (typeof v !== 'string') throw new TypeError(`${where}.${k} must be a string path or intrinsic function`);
      entries.push({ key, get: compileExpression(v, `${where}.${k}`, opts) });
    } else entries.push({ key: k, get: compileNode(v, opts, `${where}.${k}`) });
  }
  return (scope) => {
    const out: Record<string, unknown> = {};
    for (const e of entries) out[e.key] = e.get(scope);
    return out;
  };
}

/** One `.$` value: a path (payload, context or variable) or an intrinsic call. */
export function compileExpression(text: string, where: string, opts: TemplateOptions): Template {
  if (looksLikeIntrinsic(text)) {
    const call = parseIntrinsic(text);
    return (scope) => evaluateIntrinsic(call, scope, opts.random);
  }
  const path = compilePath(text);
  return (scope) => {
    const v = path.get(scope);
    if (v === NOT_FOUND)
      throw new StatesError(
        States.ParameterPathFailure,
        `The JSONPath '${text}' specified for the field '${where}' could not be found in the ${describeRoot(path.root.kind)}`,
      );
    return v;
  };
}

function describeRoot(kind: 'input' | 'context' | 'variable'): string {
  return kind === 'input' ? 'input' : kind === 'context' ? 'context object' : 'workflow variables';
}
