/**
 * The JSONPath input/output pipeline every state shares, in the specification's order:
 * InputPath -> Parameters -> (work) -> ResultSelector -> ResultPath (onto the RAW input) -> OutputPath.
 */
import type { CompiledState } from './definition.ts';
import { NOT_FOUND, placeAt, type CompiledPath, type PathScope, type Segment } from './paths.ts';
import { States, StatesError } from './states-error.ts';

/** AWS's `{truncated: false}` detail, shared: history events are read-only. */
export const NOT_TRUNCATED = Object.freeze({ truncated: false });

/** AWS's payload quota: 256 KiB of UTF-8. */
export const MAX_PAYLOAD_BYTES = 262_144;

export function effectiveInput(state: CompiledState, raw: unknown): unknown {
  return selectPath(state.inputPath, raw, state.name, 'InputPath');
}

export function stateOutput(state: CompiledState, value: unknown): unknown {
  return selectPath(state.outputPath, value, state.name, 'OutputPath');
}

function selectPath(path: CompiledPath | null | undefined, value: unknown, stateName: string, field: string): unknown {
  if (path === undefined) return value;
  if (path === null) return {};
  if (path.root.kind === 'input' && path.segments?.length === 0) return value;
  const v = path.get({ input: value, context: undefined, vars: {} });
  if (v === NOT_FOUND)
    throw new StatesError(
      States.Runtime,
      `An error occurred while executing the state '${stateName}'. Invalid path '${path.text}' for ${field}: no results for the path in ${preview(value)}`,
    );
  return v;
}

/** ResultPath: the result replaces, joins or is discarded from the state's raw input. */
export function applyResultPath(stateName: string, resultPath: readonly Segment[] | null, raw: unknown, result: unknown): unknown {
  if (resultPath === null) return raw;
  if (resultPath.length === 0) return result;
  const placed = placeAt(raw, resultPath, result);
  if (!placed)
    throw new StatesError(
      States.ResultPathMatchFailure,
      `Unable to apply ResultPath '$${resultPath.map((s) => (typeof s === 'number' ? `[${s}]` : `.${s}`)).join('')}' to the input of state '${stateName}': ${preview(raw)}`,
    );
  return placed.value;
}

export function evaluateSelector(tpl: ((s: PathScope) => unknown) | undefined, scope: PathScope, fallback: unknown): unknown {
  return tpl ? tpl(scope) : fallback;
}

/** Serialises a payload once (the history needs the text anyway) and enforces the 256 KiB quota. */
export function serialise(value: unknown, what: string): string {
  const text = JSON.stringify(value) ?? 'null';
  // Each UTF-16 unit is at most 3 UTF-8 bytes: only measure exactly when it could be over.
  if (text.length * 3 > MAX_PAYLOAD_BYTES && Buffer.byteLength(text, 'utf8') > MAX_PAYLOAD_BYTES)
    throw new StatesError(States.DataLimitExceeded, `The ${what} has ${Buffer.byteLength(text, 'utf8')} bytes, over the quota of ${MAX_PAYLOAD_BYTES} bytes`);
  return text;
}

function preview(v: unknown): string {
  const s = JSON.stringify(v) ?? 'undefined';
  return s.length > 200 ? `${s.slice(0, 200)}...` : s;
}
