/**
 * Payload templates (Parameters, ResultSelector, ItemSelector, Assign, integration arguments).
 * A field whose value is an Expr is written as `name.$`, which is how ASL marks a value computed
 * at run time. Keys are sorted so the serialised definition does not depend on insertion order.
 */
import type { Json, JsonObject } from './json.ts';
import { Expr } from './paths.ts';

export type TemplateValue = string | number | boolean | null | Expr | TemplateValue[] | { [key: string]: TemplateValue };
export type Template = { [key: string]: TemplateValue };

export function renderTemplate(template: Template): JsonObject {
  const out: JsonObject = {};
  for (const key of Object.keys(template).sort()) {
    const value = template[key] as TemplateValue;
    if (value instanceof Expr) {
      out[key.endsWith('.$') ? key : `${key}.$`] = value.text;
    } else {
      out[key] = renderValue(value, key);
    }
  }
  return out;
}

function renderValue(value: TemplateValue, key: string): Json {
  if (value instanceof Expr) {
    // ASL only evaluates `.$` fields of objects; an array element cannot be dynamic.
    throw new Error(`Field '${key}' holds a run-time value inside an array; use States.Array(...) instead`);
  }
  if (Array.isArray(value)) return value.map((v) => renderValue(v, key));
  if (value !== null && typeof value === 'object') return renderTemplate(value);
  return value;
}
