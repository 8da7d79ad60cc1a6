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

/**
 * Whether this field's selection reaches `path` (`['series', 'points']`): fragments followed,
 * @skip/@include applied. Lets a resolver leave out what no client asked for.
 */
export function selectsField(info: GraphQLResolveInfo, path: readonly string[]): boolean {
  const reaches = (
    selectionSet: SelectionSetNode | undefined,
    rest: readonly string[],
  ): boolean => {
    if (!selectionSet) return false;
    return selectionSet.selections.some((selection) => {
      if (!included(selection, info.variableValues)) return false;
      if (selection.kind === 'Field') {
        if (selection.name.value !== rest[0]) return false;
        return rest.length === 1 || reaches(selection.selectionSet, rest.slice(1));
      }
      if (selection.kind === 'InlineFragment') return reaches(selection.selectionSet, rest);
      return reaches(info.fragments[selection.name.value]?.selectionSet, rest);
    });
  };
  return info.fieldNodes.some((node) => reaches(node.selectionSet, path));
}

function included(
  node: Parameters<typeof getDirectiveValues>[1],
  variables: Record<string, unknown>,
): boolean {
  if (getDirectiveValues(GraphQLSkipDirective, node, variables)?.if === true) return false;
  return getDirectiveValues(GraphQLIncludeDirective, node, variables)?.if !== false;
}
