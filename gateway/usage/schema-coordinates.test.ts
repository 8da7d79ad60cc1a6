import { buildSchema, getOperationAST, parse } from 'graphql';
import { coordinatesOf } from './schema-coordinates.js';

const schema = buildSchema(`
  interface Node { id: ID! }
  enum Role { ADMIN MEMBER }
  input TeamInput { name: String!, role: Role, tags: [TagInput!] }
  input TagInput { key: String! }
  type Team implements Node { id: ID! name: String! members(role: Role, first: Int): [Member!]! }
  type Member implements Node { id: ID! role: Role! }
  union SearchResult = Team | Member
  type Query {
    node(id: ID!): Node
    teams(first: Int, after: String): [Team!]!
    search(text: String!): [SearchResult!]!
  }
  type Mutation { createTeam(input: TeamInput!): Team! }
`);

const coordinates = (source: string, operationName?: string) => {
  const document = parse(source);
  const operation = getOperationAST(document, operationName);
  if (!operation) throw new Error('no operation');
  return coordinatesOf(schema, document, operation);
};

describe('coordinatesOf', () => {
  it('records fields on the type they are selected on, aliases by their field', () => {
    expect(coordinates('{ all: teams { id label: name } __typename }')).toEqual([
      'Query.teams',
      'Team.id',
      'Team.name',
    ]);
  });

  it('records the arguments passed, literally or through variables, and no others', () => {
    expect(
      coordinates('query($n: Int) { teams(first: $n) { members(role: ADMIN) { id } } }'),
    ).toEqual([
      'Member.id',
      'Query.teams',
      'Query.teams(first:)',
      'Role.ADMIN',
      'Team.members',
      'Team.members(role:)',
    ]);
  });

  it('follows named fragments (nested ones too) and inline fragments to their types', () => {
    const source = `
      query Find($text: String!) {
        node(id: "1") { id ...TeamParts }
        search(text: $text) { ... on Member { role } ...MemberParts }
      }
      fragment TeamParts on Team { name ...More }
      fragment More on Team { members { id } }
      fragment MemberParts on Member { id }
      fragment Unused on Team { id }
    `;
    expect(coordinates(source)).toEqual([
      'Member.id',
      'Member.role',
      'Node.id',
      'Query.node',
      'Query.node(id:)',
      'Query.search',
      'Query.search(text:)',
      'Team.members',
      'Team.name',
    ]);
  });

  it('records input fields and enum values written literally', () => {
    const source =
      'mutation { createTeam(input: { name: "a", role: MEMBER, tags: [{ key: "k" }] }) { id } }';
    expect(coordinates(source)).toEqual([
      'Mutation.createTeam',
      'Mutation.createTeam(input:)',
      'Role.MEMBER',
      'TagInput.key',
      'Team.id',
      'TeamInput.name',
      'TeamInput.role',
      'TeamInput.tags',
    ]);
  });

  it('keeps the operations of one document apart', () => {
    const source = 'query A { teams { id } } query B { search(text: "x") { __typename } }';
    expect(coordinates(source, 'B')).toEqual(['Query.search', 'Query.search(text:)']);
  });
});
