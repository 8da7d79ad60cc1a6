import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { LRUCache } from 'lru-cache';
import { badUserInput } from '../../../lib/errors.js';

/** Largest variables schema accepted, as JSON text. */
export const MAX_SCHEMA_CHARS = 32 * 1024;
/** Largest variables object accepted at render, as JSON text. */
export const MAX_VARIABLES_CHARS = 256 * 1024;
const CACHED_VALIDATORS = 1_000;

/** One way the variables fail their schema, as a client reads it. */
export interface VariableProblem {
  /** A JSON Pointer into the variables (`/customer/name`); empty for the whole object. */
  path: string;
  message: string;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const problemOf = (error: ErrorObject): VariableProblem => {
  // A missing required property is reported at its parent; point at the property itself.
  const missing = error.keyword === 'required' ? `/${String(error.params.missingProperty)}` : '';
  return { path: `${error.instancePath}${missing}`, message: error.message ?? 'is not valid' };
};

/**
 * Variables declared as JSON Schema (draft 2020-12 keywords ajv knows), compiled once per schema
 * text by ajv in strict mode: an unknown keyword is a refusal, never silently ignored. No remote
 * `$ref` is ever fetched (ajv has no loader here).
 */
export function createVariableSchemas() {
  const ajv = new Ajv({ allErrors: true, strict: true });
  const validators = new LRUCache<string, ValidateFunction>({ max: CACHED_VALIDATORS });

  const compile = (schema: Record<string, unknown>): ValidateFunction => {
    const key = JSON.stringify(schema);
    let validate = validators.get(key);
    if (!validate) {
      validate = ajv.compile(schema);
      validators.set(key, validate);
    }
    return validate;
  };

  return {
    /**
     * The schema of a new version, checked: an object schema (`type: "object"`) ajv compiles, no
     * larger than MAX_SCHEMA_CHARS, declaring in `properties` every variable `placeholders` read
     * (their first path part). BAD_USER_INPUT with `field: "variables"` otherwise.
     */
    check(schema: unknown, placeholders: readonly string[]): Record<string, unknown> {
      if (!isPlainObject(schema) || schema.type !== 'object') {
        throw badUserInput('variables must be a JSON Schema object with "type": "object".', {
          field: 'variables',
        });
      }
      if (JSON.stringify(schema).length > MAX_SCHEMA_CHARS) {
        throw badUserInput(`variables must be at most ${MAX_SCHEMA_CHARS} characters of JSON.`, {
          field: 'variables',
        });
      }
      try {
        compile(schema);
      } catch (error) {
        throw badUserInput(`variables is not a valid JSON Schema: ${(error as Error).message}`, {
          field: 'variables',
        });
      }
      const declared = isPlainObject(schema.properties) ? Object.keys(schema.properties) : [];
      const undeclared = placeholders.filter((p) => !declared.includes(p.split('.')[0]!));
      if (undeclared.length > 0) {
        throw badUserInput(
          `The messages use variables the schema does not declare in "properties": ${undeclared.join(', ')}.`,
          { field: 'variables', undeclared },
        );
      }
      return schema;
    },

    /**
     * The variables, checked against the version's schema: BAD_USER_INPUT naming the first
     * failing path (`extensions.path`) and listing every problem (`extensions.problems`).
     */
    validate(schema: Record<string, unknown>, variables: unknown): Record<string, unknown> {
      const values = variables ?? {};
      if (!isPlainObject(values)) {
        throw badUserInput('variables must be a JSON object.', { field: 'variables', path: '' });
      }
      if (JSON.stringify(values).length > MAX_VARIABLES_CHARS) {
        throw badUserInput(`variables must be at most ${MAX_VARIABLES_CHARS} characters of JSON.`, {
          field: 'variables',
          path: '',
        });
      }
      const validate = compile(schema);
      if (validate(values)) return values;
      const problems = (validate.errors ?? []).map(problemOf);
      const first = problems[0] ?? { path: '', message: 'is not valid' };
      throw badUserInput(
        `The variables do not match the prompt's schema: ${first.path || '(the object)'} ${first.message}.`,
        { field: 'variables', path: first.path, problems },
      );
    },
  };
}

export type VariableSchemas = ReturnType<typeof createVariableSchemas>;
