import { readFile } from 'node:fs/promises';
import {
  SUPERGRAPH_FILE,
  composeSupergraph,
  readSubgraphs,
} from '../gateway/supergraph/compose.js';
import { subgraphFolders } from './support/subgraph-list.js';

describe('composition', () => {
  it('composes every subgraph folder without errors', async () => {
    const subgraphs = await readSubgraphs();
    expect(subgraphFolders()).toEqual(expect.arrayContaining(['billing', 'model-catalog']));
    expect(subgraphs.map((s) => s.name).sort()).toEqual(subgraphFolders());
    expect(() => composeSupergraph(subgraphs)).not.toThrow();
  });

  it('matches the committed schema/supergraph.graphql (run `npm run compose` after changing an SDL)', async () => {
    const composed = composeSupergraph(await readSubgraphs());
    expect(await readFile(SUPERGRAPH_FILE, 'utf8')).toBe(composed);
  });

  it('reports a composition error instead of writing a broken supergraph', async () => {
    const subgraphs = await readSubgraphs();
    const broken = subgraphs.map((s) =>
      s.name === 'wallet'
        ? {
            ...s,
            typeDefs: s.typeDefs.replace(
              'id: ID!\n  "The team\'s prepaid',
              'id: String!\n  "The team\'s prepaid',
            ),
          }
        : s,
    );
    expect(broken.find((s) => s.name === 'wallet')?.typeDefs).not.toBe(
      subgraphs.find((s) => s.name === 'wallet')?.typeDefs,
    );
    expect(() => composeSupergraph(broken)).toThrow(/Composition failed/);
  });
});
