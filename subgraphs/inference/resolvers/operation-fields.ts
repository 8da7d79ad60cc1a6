import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  getArgumentValues,
  getDirectiveValues,
  type FieldNode,
  type GraphQLResolveInfo,
  type SelectionSetNode,
} from 'graphql';

/** One root field of the operation, by its response key, with its arguments' values. */
export interface RootField {
  responseKey: string;
  args: Record<string, unknown>;
}

/**
 * Every root field named `fieldName` that this operation will execute (fragments followed,
 * @skip/@include applied), with its arguments. Lets the first `embed` field of an operation plan
 * the whole operation's embeddings at once: mutation fields run one after another, so a DataLoader
 * alone would only ever see one field's texts.
 */
export function rootFieldsNamed(info: GraphQLResolveInfo, fieldName: string): RootField[] {
  const fieldDef = info.parentType.getFields()[fieldName];
  if (!fieldDef) return [];
  const found = new Map<string, RootField>();
  const visit = (selectionSet: SelectionSetNode) => {
    for (const selection of selectionSet.selections) {
      if (!included(selection, info.variableValues)) continue;
      if (selection.kind === 'Field') {
        if (selection.name.value !== fieldName) continue;
        const responseKey = selection.alias?.value ?? selection.name.value;
        if (!found.has(responseKey)) {
          found.set(responseKey, {
            responseKey,
            args: getArgumentValues(fieldDef, selection as FieldNode, info.variableValues),
          });
        }
      } else if (selection.kind === 'InlineFragment') {
        visit(selection.selectionSet);
      } else {
        const fragment = info.fragments[selection.name.value];
        if (fragment) visit(fragment.selectionSet);
      }
    }
  };
  visit(info.operation.selectionSet);
  return [...found.values()];
}

function included(
  node: Parameters<typeof getDirectiveValues>[1],
  variables: Record<string, unknown>,
): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}
