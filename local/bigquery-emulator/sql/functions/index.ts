import type { Token } from '../tokenizer.js';
import { type Group, splitCommas } from '../tree.js';
import { AGGREGATE_FUNCTIONS, WINDOW_FUNCTIONS } from './aggregates.js';
import { ARRAY_FUNCTIONS } from './arrays.js';
import { type Call, type CallSite, type FunctionFamily, type Handler, notFound } from './call.js';
import { CAST_FUNCTIONS } from './casts.js';
import { CONDITIONAL_FUNCTIONS } from './conditional.js';
import { DATE_TIME_FUNCTIONS } from './dates.js';
import { FORMAT_FUNCTIONS } from './formats.js';
import { JSON_FUNCTIONS } from './json.js';
import { MATH_FUNCTIONS } from './math.js';
import { STRING_FUNCTIONS } from './strings.js';

export type { CallSite } from './call.js';

/** Every family by name; a function is in exactly one (checked as the registry is built). */
const FAMILIES: Readonly<Record<string, FunctionFamily>> = {
  conditional: CONDITIONAL_FUNCTIONS,
  math: MATH_FUNCTIONS,
  casts: CAST_FUNCTIONS,
  strings: STRING_FUNCTIONS,
  aggregates: AGGREGATE_FUNCTIONS,
  windows: WINDOW_FUNCTIONS,
  arrays: ARRAY_FUNCTIONS,
  json: JSON_FUNCTIONS,
  dates: DATE_TIME_FUNCTIONS,
  formats: FORMAT_FUNCTIONS,
};

function registry(): ReadonlyMap<string, Handler> {
  const handlers = new Map<string, Handler>();
  const familyOf = new Map<string, string>();
  for (const [family, functions] of Object.entries(FAMILIES)) {
    for (const [name, handler] of Object.entries(functions)) {
      const other = familyOf.get(name);
      if (other !== undefined)
        throw new Error(`function ${name} is in both ${other} and ${family}`);
      familyOf.set(name, family);
      handlers.set(name, handler);
    }
  }
  return handlers;
}

const HANDLERS = registry();

/**
 * Emits a call: `NAME(args) [OVER ...]`, or a bare `CURRENT_DATE` (no group). Unknown functions
 * are refused, never passed through.
 */
export function callFunction(
  t: CallSite,
  token: Token,
  group: Group | undefined,
  over: string | undefined,
): string {
  const name = token.upper;
  const args = group ? splitCommas(group.items) : [];
  const call: Call = { t, name, token, group, args, over };
  const handler = HANDLERS.get(name);
  return handler ? handler(call) : notFound(call);
}

/** Every function name the translator accepts (for docs and tests). */
export function supportedFunctions(): string[] {
  return [...HANDLERS.keys()].sort();
}
