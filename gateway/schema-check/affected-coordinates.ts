import type { Change } from '@graphql-inspector/core';
import {
  getNamedType,
  isEnumType,
  isInputObjectType,
  isInterfaceType,
  isObjectType,
  type GraphQLSchema,
} from 'graphql';
import { argumentCoordinate, fieldCoordinate } from '../usage/schema-coordinates.js';

/** Every coordinate inside a type: its fields and their arguments, input fields, enum values. */
function coordinatesInside(schema: GraphQLSchema, typeName: string): string[] {
  const type = schema.getType(typeName);
  if (isObjectType(type) || isInterfaceType(type)) {
    return Object.values(type.getFields()).flatMap((field) => [
      fieldCoordinate(type.name, field.name),
      ...field.args.map((arg) => argumentCoordinate(type.name, field.name, arg.name)),
    ]);
  }
  if (isInputObjectType(type)) {
    return Object.keys(type.getFields()).map((name) => fieldCoordinate(type.name, name));
  }
  if (isEnumType(type)) return type.getValues().map((v) => fieldCoordinate(type.name, v.name));
  return [];
}

/** The input types that hold `typeName` (themselves included), through nested input fields. */
function inputsHolding(schema: GraphQLSchema, typeName: string): Set<string> {
  const holding = new Set([typeName]);
  const inputs = Object.values(schema.getTypeMap()).filter(isInputObjectType);
  for (let grew = true; grew;) {
    grew = false;
    for (const input of inputs) {
      if (holding.has(input.name)) continue;
      const fields = Object.values(input.getFields());
      if (fields.some((f) => holding.has(getNamedType(f.type).name))) {
        holding.add(input.name);
        grew = true;
      }
    }
  }
  return holding;
}

/** Fields that return `typeName`, and arguments that take it (inside inputs too). */
function coordinatesReferring(schema: GraphQLSchema, typeName: string): string[] {
  const holding = inputsHolding(schema, typeName);
  const found: string[] = [];
  for (const type of Object.values(schema.getTypeMap())) {
    if (!(isObjectType(type) || isInterfaceType(type)) || type.name.startsWith('__')) continue;
    for (const field of Object.values(type.getFields())) {
      if (getNamedType(field.type).name === typeName) {
        found.push(fieldCoordinate(type.name, field.name));
      }
      for (const arg of field.args) {
        if (holding.has(getNamedType(arg.type).name)) {
          found.push(argumentCoordinate(type.name, field.name, arg.name));
        }
      }
    }
  }
  return found;
}

/** An argument that now must be passed where before it could be left out. */
const madeRequired = (meta: Record<string, string>) =>
  String(meta.newArgumentType).endsWith('!') && !String(meta.oldArgumentType).endsWith('!');

/**
 * The schema coordinates (as the gateway counts them, in `current`) whose users a change breaks.
 * Conservative where usage cannot tell more: a removed type breaks every use of its fields and
 * every field or argument of that type; a new required input field breaks every argument taking
 * that input.
 */
export function affectedCoordinates(schema: GraphQLSchema, change: Change): string[] {
  const meta = change.meta as Record<string, string>;
  const parts = (change.path ?? '').split('.');
  switch (change.type) {
    case 'FIELD_ARGUMENT_ADDED':
      return [fieldCoordinate(meta.typeName!, meta.fieldName!)];
    case 'FIELD_ARGUMENT_TYPE_CHANGED':
      // Made required: those who leave it out break; otherwise those who pass it.
      return madeRequired(meta)
        ? [fieldCoordinate(meta.typeName!, meta.fieldName!)]
        : [argumentCoordinate(meta.typeName!, meta.fieldName!, meta.argumentName!)];
    case 'UNION_MEMBER_REMOVED':
      return coordinatesInside(schema, meta.removedUnionMemberTypeName!);
    case 'OBJECT_TYPE_INTERFACE_REMOVED':
      return coordinatesInside(schema, meta.removedInterfaceName!);
    // A removed input field's users are those who pass it, but the gateway counts an input field
    // only when it is written literally, never inside a variable's value: so every argument
    // taking its input counts as a use (conservative, as for a removed enum value).
    case 'INPUT_FIELD_ADDED':
    case 'INPUT_FIELD_TYPE_CHANGED':
    case 'INPUT_FIELD_REMOVED':
      return [fieldCoordinate(parts[0]!, parts[1]!), ...coordinatesReferring(schema, parts[0]!)];
    case 'ENUM_VALUE_REMOVED':
      return [fieldCoordinate(parts[0]!, parts[1]!), ...coordinatesReferring(schema, parts[0]!)];
  }
  if (parts.length >= 3) return [argumentCoordinate(parts[0]!, parts[1]!, parts[2]!)];
  if (parts.length === 2) return [fieldCoordinate(parts[0]!, parts[1]!)];
  if (parts[0] && !parts[0].startsWith('@')) {
    return [...coordinatesInside(schema, parts[0]), ...coordinatesReferring(schema, parts[0])];
  }
  return [];
}
