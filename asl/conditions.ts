/**
 * Typed Choice conditions. Each comparison names the data it reads (`variable`: a reference path
 * such as `$.status` or `$pollCount`) and the operator picks the value's type, as in ASL.
 */
import type { JsonObject } from './json.ts';

type Operator =
  | 'StringEquals' | 'StringLessThan' | 'StringGreaterThan' | 'StringLessThanEquals' | 'StringGreaterThanEquals' | 'StringMatches'
  | 'NumericEquals' | 'NumericLessThan' | 'NumericGreaterThan' | 'NumericLessThanEquals' | 'NumericGreaterThanEquals'
  | 'BooleanEquals'
  | 'TimestampEquals' | 'TimestampLessThan' | 'TimestampGreaterThan' | 'TimestampLessThanEquals' | 'TimestampGreaterThanEquals'
  | 'IsPresent' | 'IsNull' | 'IsString' | 'IsNumeric' | 'IsBoolean' | 'IsTimestamp';

type PathOperator = Exclude<Operator, 'StringMatches' | `Is${string}`>;

export abstract class Condition {
  abstract toJson(): JsonObject;

  /** Every path the condition reads, so the validator can check them. */
  abstract paths(): { field: string; path: string }[];

  static stringEquals = compare<string>('StringEquals');
  static stringLessThan = compare<string>('StringLessThan');
  static stringGreaterThan = compare<string>('StringGreaterThan');
  static stringLessThanEquals = compare<string>('StringLessThanEquals');
  static stringGreaterThanEquals = compare<string>('StringGreaterThanEquals');
  /** `*` matches any characters; escape a literal `*` as `\\*`. */
  static stringMatches = compare<string>('StringMatches');
  static numberEquals = compare<number>('NumericEquals');
  static numberLessThan = compare<number>('NumericLessThan');
  static numberGreaterThan = compare<number>('NumericGreaterThan');
  static numberLessThanEquals = compare<number>('NumericLessThanEquals');
  static numberGreaterThanEquals = compare<number>('NumericGreaterThanEquals');
  static booleanEquals = compare<boolean>('BooleanEquals');
  /** Timestamps are RFC 3339 strings, e.g. 2026-01-01T00:00:00Z. */
  static timestampEquals = compare<string>('TimestampEquals');
  static timestampLessThan = compare<string>('TimestampLessThan');
  static timestampGreaterThan = compare<string>('TimestampGreaterThan');
  static timestampLessThanEquals = compare<string>('TimestampLessThanEquals');
  static timestampGreaterThanEquals = compare<string>('TimestampGreaterThanEquals');

  static stringEqualsPath = comparePath('StringEquals');
  static stringLessThanPath = comparePath('StringLessThan');
  static stringGreaterThanPath = comparePath('StringGreaterThan');
  static stringLessThanEqualsPath = comparePath('StringLessThanEquals');
  static stringGreaterThanEqualsPath = comparePath('StringGreaterThanEquals');
  static numberEqualsPath = comparePath('NumericEquals');
  static numberLessThanPath = comparePath('NumericLessThan');
  static numberGreaterThanPath = comparePath('NumericGreaterThan');
  static numberLessThanEqualsPath = comparePath('NumericLessThanEquals');
  static numberGreaterThanEqualsPath = comparePath('NumericGreaterThanEquals');
  static booleanEqualsPath = comparePath('BooleanEquals');
  static timestampEqualsPath = comparePath('TimestampEquals');
  static timestampLessThanPath = comparePath('TimestampLessThan');
  static timestampGreaterThanPath = comparePath('TimestampGreaterThan');
  static timestampLessThanEqualsPath = comparePath('TimestampLessThanEquals');
  static timestampGreaterThanEqualsPath = comparePath('TimestampGreaterThanEquals');

  /** Test the data's presence or type; pass false to test the opposite. */
  static isPresent = typeTest('IsPresent');
  static isNotPresent = (variable: string) => new Comparison(variable, 'IsPresent', false);
  static isNull = typeTest('IsNull');
  static isString = typeTest('IsString');
  static isNumeric = typeTest('IsNumeric');
  static isBoolean = typeTest('IsBoolean');
  static isTimestamp = typeTest('IsTimestamp');

  static and(...conditions: Condition[]): Condition {
    return new Combination('And', conditions);
  }

  static or(...conditions: Condition[]): Condition {
    return new Combination('Or', conditions);
  }

  static not(condition: Condition): Condition {
    return new Negation(condition);
  }
}

class Comparison extends Condition {
  constructor(
    private readonly variable: string,
    private readonly operator: string,
    private readonly value: string | number | boolean,
  ) {
    super();
  }

  toJson(): JsonObject {
    return { Variable: this.variable, [this.operator]: this.value };
  }

  paths(): { field: string; path: string }[] {
    const out = [{ field: 'Variable', path: this.variable }];
    if (this.operator.endsWith('Path')) out.push({ field: this.operator, path: String(this.value) });
    return out;
  }
}

class Combination extends Condition {
  constructor(
    private readonly operator: 'And' | 'Or',
    private readonly conditions: Condition[],
  ) {
    super();
    if (conditions.length === 0) throw new Error(`Condition.${operator.toLowerCase()}() needs at least one condition`);
  }

  toJson(): JsonObject {
    return { [this.operator]: this.conditions.map((c) => c.toJson()) };
  }

  paths(): { field: string; path: string }[] {
    return this.conditions.flatMap((c) => c.paths());
  }
}

class Negation extends Condition {
  constructor(private readonly condition: Condition) {
    super();
  }

  toJson(): JsonObject {
    return { Not: this.condition.toJson() };
  }

  paths(): { field: string; path: string }[] {
    return this.condition.paths();
  }
}

function compare<T extends string | number | boolean>(operator: Operator) {
  return (variable: string, value: T): Condition => new Comparison(variable, operator, value);
}

function comparePath(operator: PathOperator) {
  return (variable: string, path: string): Condition => new Comparison(variable, `${operator}Path`, path);
}

function typeTest(operator: Operator) {
  return (variable: string, expected = true): Condition => new Comparison(variable, operator, expected);
}
