/**
 * DynamoDB AttributeValues as ASL writes them (JSON: binary as base64 strings) versus as the AWS SDK
 * v3 sends them (binary as Uint8Array). Everything else is already the same shape.
 */

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Converts one AttributeValue from ASL JSON to the SDK's form. */
function attributeToSdk(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  for (const [type, v] of Object.entries(value)) {
    if (type === 'B' && typeof v === 'string') out[type] = Buffer.from(v, 'base64');
    else if (type === 'BS' && Array.isArray(v)) out[type] = v.map((b) => (typeof b === 'string' ? Buffer.from(b, 'base64') : b));
    else if (type === 'M') out[type] = attributeMapToSdk(v);
    else if (type === 'L' && Array.isArray(v)) out[type] = v.map(attributeToSdk);
    else out[type] = v;
  }
  return out;
}

/** Converts a map of name -> AttributeValue (Item, Key, ExpressionAttributeValues). */
export function attributeMapToSdk(map: unknown): unknown {
  if (map === null || typeof map !== 'object' || Array.isArray(map)) return map;
  return Object.fromEntries(Object.entries(map).map(([name, v]) => [name, attributeToSdk(v)]));
}

/** Converts an SDK response to plain JSON: binary back to base64, `$metadata` dropped, undefined removed. */
export function sdkOutputToJson(value: unknown): Json | undefined {
  if (value === undefined) return undefined;
  if (value === null || typeof value === 'boolean' || typeof value === 'number' || typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (Array.isArray(value)) return value.map((v) => sdkOutputToJson(v) ?? null);
  if (value instanceof Set) return [...value].map((v) => sdkOutputToJson(v) ?? null);
  if (typeof value === 'object') {
    const out: Record<string, Json> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === '$metadata') continue;
      const converted = sdkOutputToJson(v);
      if (converted !== undefined) out[k] = converted;
    }
    return out;
  }
  return String(value);
}
