/**
 * Choice rules (JSONPath): boolean combinations and comparisons, compiled into predicates.
 * A comparison between mismatched types is false, as in AWS; a Variable that selects nothing is a
 * States.Runtime error except under IsPresent.
 */
import { compilePath, NOT_FOUND, type PathScope } from './paths.ts';
import { States, StatesError } from './states-error.ts';

export type Predicate = (scope: PathScope) => boolean;

type Kind = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';
const COMPARATORS: Record<string, { kind: Kind; op: 'eq' | 'lt' | 'gt' | 'le' | 'ge' }> = {};
for (const kind of ['String', 'Numeric', 'Boolean', 'Timestamp'] as const) {
  const ops = kind === 'Boolean' ? (['eq'] as const) : (['eq', 'lt', 'gt', 'le', 'ge'] as const);
  const names = { eq: 'Equals', lt: 'LessThan', gt: 'GreaterThan', le: 'LessThanEquals', ge: 'GreaterThanEquals' };
  for (const op of ops) COMPARATORS[`${kind}${names[op]}`] = { kind, op };
}
const TYPE_TESTS = ['IsNull', 'IsPresent', 'IsNumeric', 'IsString', 'IsBoolean', 'IsTimestamp'] as const;

/** RFC 3339 timestamps as the States Language expects them (e.g. 2016-03-14T01:59:00Z). */
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
export function parseTimestamp(v: unknown): number | undefined {
  if (typeof v !== 'string' || !RFC3339.test(v)) return undefined;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : t;
}

function kindValue(kind: Kind, v: unknown): number | string | boolean | undefined {
  switch (kind) {
    case 'String':
      return typeof v === 'string' ? v : undefined;
    case 'Numeric':
      return typeof v === 'number' ? v : undefined;
    case 'Boolean':
      return typeof v === 'boolean' ? v : undefined;
    case 'Timestamp':
      return parseTimestamp(v);
  }
}

function compare(op: string, a: number | string | boolean, b: number | string | boolean): boolean {
  switch (op) {
    case 'eq':
      return a === b;
    case 'lt':
      return a < b;
    case 'gt':
      return a > b;
    case 'le':
      return a <= b;
    default:
      return a >= b;
  }
}

/** StringMatches: `*` is a wildcard; `\*` and `\\` are literal. */
function wildcard(pattern: string): RegExp {
  let re = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '\\' && i + 1 < pattern.length) {
      re += escapeRe(pattern[++i]!);
    } else if (c === '*') re += '.*';
    else re += escapeRe(c);
  }
  return new RegExp(`^${re}$`, 's');
}
function escapeRe(c: string): string {
  return c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}

export function compileRule(rule: Record<string, unknown>, where: string): Predicate {
  if (Array.isArray(rule.And)) {
    const parts = (rule.And as Record<string, unknown>[]).map((r, i) => compileRule(r, `${where}.And[${i}]`));
    return (s) => parts.every((p) => p(s));
  }
  if (Array.isArray(rule.Or)) {
    const parts = (rule.Or as Record<string, unknown>[]).map((r, i) => compileRule(r, `${where}.Or[${i}]`));
    return (s) => parts.some((p) => p(s));
  }
  if (rule.Not && typeof rule.Not === 'object') {
    const inner = compileRule(rule.Not as Record<string, unknown>, `${where}.Not`);
    return (s) => !inner(s);
  }
  if (typeof rule.Variable !== 'string') throw new TypeError(`${where}: a comparison needs a Variable path`);
  const variable = compilePath(rule.Variable);
  const read = (s: PathScope): unknown => {
    const v = variable.get(s);
    if (v === NOT_FOUND)
      throw new StatesError(States.Runtime, `Invalid path '${variable.text}': the choice rule ${where} references a value that does not exist`);
    return v;
  };

  for (const t of TYPE_TESTS) {
    if (!(t in rule)) continue;
    const expected = rule[t];
    if (typeof expected !== 'boolean') throw new TypeError(`${where}.${t} must be true or false`);
    if (t === 'IsPresent') return (s) => (variable.get(s) !== NOT_FOUND) === expected;
    const test: (v: unknown) => boolean =
      t === 'IsNull'
        ? (v) => v === null
        : t === 'IsNumeric'
          ? (v) => typeof v === 'number'
          : t === 'IsString'
            ? (v) => typeof v === 'string'
            : t === 'IsBoolean'
              ? (v) => typeof v === 'boolean'
              : (v) => parseTimestamp(v) !== undefined;
    // Type tests on a missing value are false rather than an error.
    return (s) => {
      const v = variable.get(s);
      return v === NOT_FOUND ? !expected : test(v) === expected;
    };
  }

  if ('StringMatches' in rule) {
    if (typeof rule.StringMatches !== 'string') throw new TypeError(`${where}.StringMatches must be a string`);
    const re = wildcard(rule.StringMatches);
    return (s) => {
      const v = read(s);
      return typeof v === 'string' && re.test(v);
    };
  }

  for (const [name, { kind, op }] of Object.entries(COMPARATORS)) {
    if (name in rule) {
      const expected = kindValue(kind, rule[name]);
      if (expected === undefined) throw new TypeError(`${where}.${name} must be a ${kind.toLowerCase()} value`);
      return (s) => {
        const v = kindValue(kind, read(s));
        return v !== undefined && compare(op, v, expected);
      };
    }
    const pathKey = `${name}Path`;
    if (pathKey in rule) {
      if (typeof rule[pathKey] !== 'string') throw new TypeError(`${where}.${pathKey} must be a path`);
      const other = compilePath(rule[pathKey]);
      return (s) => {
        const b = other.get(s);
        if (b === NOT_FOUND)
          throw new StatesError(States.Runtime, `Invalid path '${other.text}': the choice rule ${where} references a value that does not exist`);
        const v = kindValue(kind, read(s));
        const w = kindValue(kind, b);
        return v !== undefined && w !== undefined && compare(op, v, w);
      };
    }
  }
  throw new TypeError(`${where}: no comparison operator found`);
}
