import { GraphQLError } from 'graphql';
import { createVariableSchemas } from './prompt-variables.js';

const schema = {
  type: 'object',
  properties: {
    name: { type: 'string', minLength: 1 },
    order: { type: 'object', properties: { id: { type: 'integer' } }, required: ['id'] },
  },
  required: ['name'],
  additionalProperties: false,
};

const refusal = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as GraphQLError).extensions;
  }
  throw new Error('not refused');
};

describe('prompt variables', () => {
  const schemas = createVariableSchemas();

  it('accepts an object schema declaring every placeholder', () => {
    expect(schemas.check(schema, ['name', 'order.id'])).toBe(schema);
  });

  it('refuses a non-object schema, an invalid one and undeclared placeholders', () => {
    expect(refusal(() => schemas.check({ type: 'string' }, []))).toMatchObject({
      code: 'BAD_USER_INPUT',
      field: 'variables',
    });
    expect(refusal(() => schemas.check({ type: 'object', minProperties: 'x' }, []))).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    expect(refusal(() => schemas.check({ type: 'object', colour: 'red' }, []))).toMatchObject({
      code: 'BAD_USER_INPUT',
    });
    expect(refusal(() => schemas.check(schema, ['name', 'who']))).toMatchObject({
      undeclared: ['who'],
    });
  });

  it('validates variables, naming the failing path', () => {
    expect(schemas.validate(schema, { name: 'Ada', order: { id: 1 } })).toEqual({
      name: 'Ada',
      order: { id: 1 },
    });
    expect(
      refusal(() => schemas.validate(schema, { name: 'Ada', order: { id: 'x' } })),
    ).toMatchObject({
      code: 'BAD_USER_INPUT',
      path: '/order/id',
    });
    expect(refusal(() => schemas.validate(schema, { order: { id: 1 } }))).toMatchObject({
      path: '/name',
    });
    expect(refusal(() => schemas.validate(schema, [1]))).toMatchObject({ path: '' });
  });
});
