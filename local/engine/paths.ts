/**
 * JSONPath as the States Language uses it. Almost every path in a real definition is a reference
 * path (`$.a.b[0]`, `$$.Execution.Id`, `$var.x`); those compile to a segment list read by a loop.
 * Anything richer (wildcards, filters, slices, recursive descent) falls back to jsonpath-plus.
 */
import { JSONPath } from 'jsonpath-plus';

export type Segment = string | number;

/** Where a path starts: the state's data ($), the context object ($$) or a workflow variable ($name). */
export type PathRoot = { kind: 'input' } | { kind: 'context' } | { kind: 'variable'; name: string };

/** A value built only when a path reads it (the context object: most states never read `$$`). */
export abstract class LazyValue {
  abstract value(): unknown;
}

export interface PathScope {
  input: unknown;
  /** The context object, or a LazyValue producing it. */
  context: unknown;
  vars: Readonly<Record<string, unknown>>;
}

/** Returned when a path selects nothing; callers turn it into the error their field calls for. */
export const NOT_FOUND: unique symbol = Symbol('NOT_FOUND');
export type Found = unknown | typeof NOT_FOUND;

export interface CompiledPath {
  readonly text: string;
  readonly root: PathRoot;
  /** Segments when this is a reference path (single node); undefined for full JSONPath. */
  readonly segments?: readonly Segment[];
  get(scope: PathScope): Found;
}

export class PathSyntaxError extends Error {
  override name = 'PathSyntaxError';
}

const VARIABLE_NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

function splitRoot(path: string): { root: PathRoot; rest: string } {
  if (path.startsWith('$$')) return { root: { kind: 'context' }, rest: path.slice(2) };
  if (!path.startsWith('$')) throw new PathSyntaxError(`path '${path}' must start with '$'`);
  const m = VARIABLE_NAME.exec(path.slice(1));
  if (m) return { root: { kind: 'variable', name: m[0] }, rest: path.slice(1 + m[0].length) };
  return { root: { kind: 'input' }, rest: path.slice(1) };
}

/** Parses the part after the root into segments, or undefined when it is not a plain reference path. */
function parseReference(rest: string): Segment[] | undefined {
  const out: Segment[] = [];
  let i = 0;
  while (i < rest.length) {
    const c = rest[i];
    if (c === '.') {
      if (rest[i + 1] === '.') return undefined;
      let j = i + 1;
      while (j < rest.length && rest[j] !== '.' && rest[j] !== '[') j++;
      const name = rest.slice(i + 1, j);
      if (name === '' || name === '*' || /[@()?,:*]/.test(name)) return undefined;
      out.push(name);
      i = j;
    } else if (c === '[') {
      const q = rest[i + 1];
      if (q === "'" || q === '"') {
        const end = rest.indexOf(q + ']', i + 2);
        if (end < 0) return undefined;
        out.push(rest.slice(i + 2, end));
        i = end + 2;
      } else {
        const end = rest.indexOf(']', i);
        if (end < 0) return undefined;
        const body = rest.slice(i + 1, end);
        if (!/^\d+$/.test(body)) return undefined;
        out.push(Number(body));
        i = end + 1;
      }
    } else return undefined;
  }
  return out;
}

function rootValue(root: PathRoot, scope: PathScope): Found {
  switch (root.kind) {
    case 'input':
      return scope.input;
    case 'context': {
      const c = scope.context;
      return c instanceof LazyValue ? c.value() : c;
    }
    case 'variable':
      return Object.hasOwn(scope.vars, root.name) ? scope.vars[root.name] : NOT_FOUND;
  }
}

export function walk(value: unknown, segments: readonly Segment[]): Found {
  let v: unknown = value;
  for (const s of segments) {
    if (v === null || typeof v !== 'object') return NOT_FOUND;
    if (typeof s === 'number') {
      if (!Array.isArray(v) || s >= v.length) return NOT_FOUND;
      v = v[s];
    } else {
      if (Array.isArray(v) || !Object.hasOwn(v, s)) return NOT_FOUND;
      v = (v as Record<string, unknown>)[s];
    }
  }
  return v;
}

/** A definite path selects at most one node, so jsonpath-plus's match list is unwrapped. */
function isDefinite(rest: string): boolean {
  return !/\.\.|\*|\[\?|\[[^\]]*[:,][^\]]*\]/.test(rest);
}

const cache = new Map<string, CompiledPath>();

export function compilePath(text: string): CompiledPath {
  const hit = cache.get(text);
  if (hit) return hit;
  const { root, rest } = splitRoot(text);
  const segments = parseReference(rest);
  let compiled: CompiledPath;
  if (segments) {
    compiled =
      segments.length === 0
        ? { text, root, segments, get: (scope) => rootValue(root, scope) }
        : {
            text,
            root,
            segments,
            get: (scope) => {
              const base = rootValue(root, scope);
              return base === NOT_FOUND ? NOT_FOUND : walk(base, segments);
            },
          };
  } else {
    const definite = isDefinite(rest);
    const expr = '$' + rest;
    try {
      JSONPath.toPathArray(expr);
    } catch (e) {
      throw new PathSyntaxError(`invalid JSONPath '${text}': ${(e as Error).message}`);
    }
    compiled = {
      text,
      root,
      get: (scope) => {
        const base = rootValue(root, scope);
        if (base === NOT_FOUND || base === null || typeof base !== 'object') return NOT_FOUND;
        const matches = JSONPath({ path: expr, json: base as object, wrap: true }) as unknown[];
        if (definite) return matches.length === 0 ? NOT_FOUND : matches[0];
        return matches;
      },
    };
  }
  cache.set(text, compiled);
  return compiled;
}

/** Reference paths only (ResultPath): throws PathSyntaxError for anything that can select several nodes. */
export function compileReferencePath(text: string): CompiledPath {
  const p = compilePath(text);
  if (!p.segments || p.root.kind !== 'input') throw new PathSyntaxError(`'${text}' is not a reference path on '$'`);
  return p;
}

/**
 * Places `result` into `input` at the reference path, copying every object on the way so that
 * values shared with other branches or the history are never mutated. Returns undefined when an
 * intermediate node is not an object (the caller raises States.ResultPathMatchFailure).
 */
export function placeAt(input: unknown, segments: readonly Segment[], result: unknown): { value: unknown } | undefined {
  if (segments.length === 0) return { value: result };
  const placed = placeFrom(input, segments, 0, result);
  return placed === NOT_FOUND ? undefined : { value: placed };
}

/** Copy of `node` with `result` at segments[i..]; NOT_FOUND when an intermediate node is not an object. */
function placeFrom(node: unknown, segments: readonly Segment[], i: number, result: unknown): unknown {
  const s = segments[i]!;
  const last = i === segments.length - 1;
  if (typeof s === 'number') {
    if (!Array.isArray(node) || s >= node.length) return NOT_FOUND;
    const inner = last ? result : placeFrom(node[s], segments, i + 1, result);
    if (inner === NOT_FOUND) return NOT_FOUND;
    const copy = node.slice();
    copy[s] = inner;
    return copy;
  }
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return NOT_FOUND;
  const obj = node as Record<string, unknown>;
  const inner = last ? result : placeFrom(Object.hasOwn(obj, s) ? obj[s] : {}, segments, i + 1, result);
  if (inner === NOT_FOUND) return NOT_FOUND;
  const copy: Record<string, unknown> = { ...obj };
  copy[s] = inner;
  return copy;
}
