/**
 * JSONPath syntax as ASL accepts it, checked at build time so a typo fails here with the state's
 * name instead of as States.Runtime hours into an execution.
 *
 * Three roots exist: `$` (state data), `$$` (the context object) and `$name` (a workflow variable).
 */

export type PathKind =
  /** InputPath, OutputPath, `.$` values, ItemsPath: any path, filters and wildcards allowed. */
  | 'path'
  /** Choice Variable, SecondsPath, *Path comparisons: must select a single node. */
  | 'reference'
  /** ResultPath: a reference path into state data only (no context object, no variable). */
  | 'result';

const variableName = /^[A-Za-z_][A-Za-z0-9_]*/;
const fieldName = /^[^.[\]\s'"(),]+/;

/** Returns why `text` is not a valid path of the given kind, or undefined when it is. */
export function pathProblem(text: string, kind: PathKind): string | undefined {
  if (typeof text !== 'string' || text.length === 0) return 'a path must be a non-empty string';
  if (!text.startsWith('$')) return `'${text}' must start with '$'`;
  let rest: string;
  if (text.startsWith('$$')) {
    if (kind === 'result') return `'${text}' cannot write into the context object`;
    rest = text.slice(2);
  } else if (variableName.test(text.slice(1))) {
    if (kind === 'result') return `'${text}' cannot write to a variable; use Assign`;
    rest = text.slice(1).replace(variableName, '');
  } else {
    rest = text.slice(1);
  }
  return segmentsProblem(text, rest, kind);
}

function segmentsProblem(text: string, input: string, kind: PathKind): string | undefined {
  let rest = input;
  const single = kind !== 'path';
  while (rest.length > 0) {
    if (rest.startsWith('..')) {
      if (single) return `'${text}' uses '..', which can select many nodes where one is required`;
      rest = rest.slice(2);
      const name = fieldName.exec(rest) ?? /^\*/.exec(rest);
      if (!name) return `'${text}' has '..' without a field name after it`;
      rest = rest.slice(name[0].length);
    } else if (rest.startsWith('.')) {
      rest = rest.slice(1);
      if (rest.startsWith('*')) {
        if (single) return `'${text}' uses a wildcard where one node is required`;
        rest = rest.slice(1);
        continue;
      }
      const name = fieldName.exec(rest);
      if (!name) return `'${text}' has an empty field name after '.'`;
      rest = rest.slice(name[0].length);
    } else if (rest.startsWith('[')) {
      const close = closingBracket(rest);
      if (close < 0) return `'${text}' has an unclosed '['`;
      const inner = rest.slice(1, close).trim();
      const problem = bracketProblem(text, inner, single);
      if (problem) return problem;
      rest = rest.slice(close + 1);
    } else {
      return `'${text}' has unexpected '${rest[0]}' at '${rest}'`;
    }
  }
  return undefined;
}

function closingBracket(s: string): number {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = undefined;
    } else if (c === "'" || c === '"') quote = c;
    else if (c === '[') depth++;
    else if (c === ']' && --depth === 0) return i;
  }
  return -1;
}

function bracketProblem(text: string, inner: string, single: boolean): string | undefined {
  if (inner.length === 0) return `'${text}' has empty brackets '[]'`;
  if (/^-?\d+$/.test(inner)) return undefined;
  if (/^'(?:[^'\\]|\\.)*'$/.test(inner) || /^"(?:[^"\\]|\\.)*"$/.test(inner)) return undefined;
  const multi = inner === '*' || inner.startsWith('?(') || /^-?\d*:-?\d*(:-?\d+)?$/.test(inner) || /^-?\d+(\s*,\s*-?\d+)+$/.test(inner);
  if (!multi) return `'${text}' has an invalid index '[${inner}]'`;
  if (single) return `'${text}' uses '[${inner}]', which can select many nodes where one is required`;
  if (inner.startsWith('?(') && !inner.endsWith(')')) return `'${text}' has an unclosed filter '[${inner}]'`;
  return undefined;
}

/**
 * A value computed at run time: a path or an intrinsic function call. In a payload template it is
 * written under a key ending in `.$`.
 */
export class Expr {
  constructor(readonly text: string) {}

  toString(): string {
    return this.text;
  }
}

/** Builders for paths, so state definitions read as what they refer to. */
export const JsonPath = {
  /** Any path: `$.a.b`, `$$.Execution.Id`, `$myVariable.field`. */
  at(path: string): Expr {
    return new Expr(path);
  },
  /** A workflow variable set by Assign, optionally a field inside it. */
  variable(name: string, field?: string): Expr {
    if (!variableName.test(name) || variableName.exec(name)?.[0] !== name) {
      throw new Error(`Invalid variable name '${name}': use letters, digits and '_' and do not start with a digit`);
    }
    return new Expr(field ? `$${name}.${field}` : `$${name}`);
  },
  /** A field of the execution's input, available in every state including failure paths. */
  executionInput(field: string): Expr {
    return new Expr(`$$.Execution.Input.${field}`);
  },
  executionId: new Expr('$$.Execution.Id'),
  stateEnteredTime: new Expr('$$.State.EnteredTime'),
  taskToken: new Expr('$$.Task.Token'),
  /** The error name in a Catch's error output. */
  errorName: new Expr('$.Error'),
  /** The error cause in a Catch's error output. */
  errorCause: new Expr('$.Cause'),
} as const;
