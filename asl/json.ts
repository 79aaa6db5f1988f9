/** JSON values as the serialised ASL holds them. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/**
 * Serialises with object keys in the order they were inserted. The DSL inserts state fields in a
 * fixed order and sorts payload template keys, so the same graph always gives the same bytes.
 */
export function stableStringify(value: Json): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}

/** Drops undefined fields so optional ASL fields are omitted rather than written as null. */
export function compact(fields: Record<string, Json | undefined>): JsonObject {
  const out: JsonObject = {};
  for (const [key, value] of Object.entries(fields)) if (value !== undefined) out[key] = value;
  return out;
}
