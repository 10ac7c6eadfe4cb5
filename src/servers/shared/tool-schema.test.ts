import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { toolSchemaOf } from './tool-schema.js';

const shape = { path: z.string().describe('a path'), head: z.number().int().optional() };
const options = { target: 'draft-2020-12' } as const;

describe('toolSchemaOf', () => {
  it("gives zod's own JSON Schema, converted once per shape and frozen", () => {
    const schema = toolSchemaOf(shape);
    expect(toolSchemaOf(shape)).toBe(schema);
    const first = schema['~standard'].jsonSchema.input(options);
    expect(first).toEqual(z.object(shape)['~standard'].jsonSchema.input(options));
    expect(schema['~standard'].jsonSchema.input(options)).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.properties)).toBe(true);
    expect(() => {
      (first.properties as Record<string, unknown>).extra = {};
    }).toThrow(TypeError);
    // Another target is its own conversion.
    expect(schema['~standard'].jsonSchema.input({ target: 'draft-07' })).not.toBe(first);
  });

  it('validates with zod', async () => {
    const { validate } = toolSchemaOf(shape)['~standard'];
    expect(await validate({ path: 'a', head: 2 })).toEqual({ value: { path: 'a', head: 2 } });
    const bad = await validate({ path: 42 });
    expect(bad.issues?.[0]?.path).toEqual(['path']);
  });
});
