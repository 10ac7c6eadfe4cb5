import type { StandardSchemaWithJSON } from '@modelcontextprotocol/server';
import { z } from 'zod';

// A tool schema as the SDK takes it (Standard Schema with JSON Schema): zod validates, and the
// JSON Schema is converted once per schema and kept. zod converts afresh on every ask, and the
// SDK asks on every server instance it is given: the hub builds one per 2026-07-28 request, whose
// tools/call has the SDK convert the tool's input schema again (about 80 µs a call), and every
// 2025 session's tools/list converts them all.
export type ToolSchema = StandardSchemaWithJSON;
type ConversionOptions = Parameters<ToolSchema['~standard']['jsonSchema']['input']>[0];

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

// Built once per input shape, not per server instance.
const built = new WeakMap<z.ZodRawShape, ToolSchema>();

export function toolSchemaOf(shape: z.ZodRawShape): ToolSchema {
  let schema = built.get(shape);
  if (schema !== undefined) return schema;
  const zod = z.object(shape);
  const standard = zod['~standard'];
  const converted = new Map<string, Record<string, unknown>>();
  // Kept frozen: one object is handed to every caller, none may change it for the others.
  const convert =
    (io: 'input' | 'output') =>
    (options: ConversionOptions): Record<string, unknown> => {
      const key = `${io}\0${JSON.stringify(options)}`;
      let json = converted.get(key);
      if (json === undefined) {
        json = deepFreeze(standard.jsonSchema[io](options));
        converted.set(key, json);
      }
      return json;
    };
  schema = {
    '~standard': {
      version: 1,
      vendor: standard.vendor,
      validate: (value) => standard.validate(value),
      jsonSchema: { input: convert('input'), output: convert('output') },
    },
  };
  built.set(shape, schema);
  return schema;
}
