import { invalid } from '../errors.js';
import type { QueryParam } from '../translator.js';

interface RestParameterType {
  type?: unknown;
  arrayType?: RestParameterType;
  structTypes?: { name?: string; type?: RestParameterType }[];
}

interface RestParameterValue {
  value?: unknown;
  arrayValues?: RestParameterValue[];
  structValues?: Record<string, RestParameterValue>;
}

interface RestParameter {
  name?: unknown;
  parameterType?: RestParameterType;
  parameterValue?: RestParameterValue;
}

/**
 * The REST `queryParameters` as the translator takes them: the type spelled as in SQL
 * (`ARRAY<STRUCT<a INT64>>`) and the value with scalars kept as the API's strings (null for NULL),
 * arrays as arrays and structs as objects keyed by field name.
 */
export function decodeQueryParameters(
  mode: unknown,
  parameters: unknown,
): { named?: Record<string, QueryParam>; positional?: QueryParam[] } | undefined {
  if (parameters === undefined || parameters === null) return undefined;
  if (!Array.isArray(parameters)) throw invalid('queryParameters must be a list');
  if (parameters.length === 0) return undefined;
  const decoded = (parameters as RestParameter[]).map((p, i) => {
    if (!p.parameterType)
      throw invalid(`Query parameter ${String(p.name ?? i)} has no parameterType`);
    return {
      name: p.name,
      param: { type: typeName(p.parameterType), value: valueOf(p.parameterType, p.parameterValue) },
    };
  });
  // The Node client sends `named`/`positional` in lower case; the API documents upper case.
  const upperMode = typeof mode === 'string' ? mode.toUpperCase() : undefined;
  if (
    upperMode === 'NAMED' ||
    (upperMode === undefined && decoded.every((d) => typeof d.name === 'string'))
  ) {
    const named: Record<string, QueryParam> = {};
    for (const { name, param } of decoded) {
      if (typeof name !== 'string' || name === '')
        throw invalid('Named query parameters must have names');
      named[name] = param;
    }
    return { named };
  }
  return { positional: decoded.map((d) => d.param) };
}

function typeName(type: RestParameterType): string {
  const base = typeof type.type === 'string' ? type.type.toUpperCase() : '';
  if (base === 'ARRAY') {
    if (!type.arrayType) throw invalid('ARRAY query parameter without arrayType');
    return `ARRAY<${typeName(type.arrayType)}>`;
  }
  if (base === 'STRUCT') {
    const fields = (type.structTypes ?? []).map((f) => {
      if (!f.type) throw invalid('STRUCT query parameter field without type');
      return f.name ? `${f.name} ${typeName(f.type)}` : typeName(f.type);
    });
    return `STRUCT<${fields.join(', ')}>`;
  }
  if (base === '') throw invalid('Query parameter without a type');
  return base;
}

function valueOf(type: RestParameterType, value: RestParameterValue | undefined): unknown {
  if (value === undefined || value === null) return null;
  const base = typeof type.type === 'string' ? type.type.toUpperCase() : '';
  if (base === 'ARRAY') {
    return (value.arrayValues ?? []).map((item) => valueOf(type.arrayType!, item));
  }
  if (base === 'STRUCT') {
    if (!value.structValues) return null;
    const result: Record<string, unknown> = {};
    for (const field of type.structTypes ?? []) {
      if (field.name) result[field.name] = valueOf(field.type!, value.structValues[field.name]);
    }
    return result;
  }
  return value.value === undefined ? null : value.value;
}
