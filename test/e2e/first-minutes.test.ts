import { runInNewContext } from 'node:vm';
import { expectErrorCode } from '../support/graphql-client.js';
import { startStack, TEST_ADMIN_KEY, type Stack } from '../support/stack.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

/** What a newcomer meets in development before reading any docs: `/`, the explorer, errors. */
describe('a newcomer’s first minutes (development gateway)', () => {
  let stack: Stack;

  beforeAll(async () => {
    stack = await startStack({ mode: 'embedded' });
  }, STACK_START_TIMEOUT_MS);
  afterAll(async () => {
    await stack?.stop();
  });

  it('answers GET / with where to go: a page for browsers, JSON otherwise', async () => {
    const page = await fetch(`${stack.gatewayBase}/`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('href="/explorer"');
    expect(html).toContain('href="/graphql"');
    expect(html).toMatch(/micro-credits/);

    const json = await fetch(`${stack.gatewayBase}/`);
    expect(json.status).toBe(200);
    expect(await json.json()).toEqual({
      service: 'modelgraph-gateway',
      links: expect.objectContaining({
        graphql: '/graphql',
        explorer: '/explorer',
        health: '/healthz',
      }),
    });
  });

  it.each([
    ['GRAPHQL_VALIDATION_FAILED', '{ noSuchField }'],
    ['GRAPHQL_PARSE_FAILED', '{ models('],
    ['BAD_USER_INPUT', '{ models(first: -1) { totalCount } }'],
  ])('gives a %s error no stack trace', async (code, query) => {
    const response = await stack.request(query, { token: TEST_ADMIN_KEY });
    const error = expectErrorCode(response, code);
    expect(error.extensions?.stacktrace).toBeUndefined();
  });

  it('opens the explorer without asking anything until a key is in its Headers tab', async () => {
    const html = await (await fetch(`${stack.gatewayBase}/explorer`)).text();
    const script = /<script>([\s\S]*?)<\/script>/.exec(html)![1]!;
    const page = loadExplorerScript(script);

    // The first render: no schema is asked for, so GraphiQL runs no introspection on open.
    let props = page.render();
    expect(props.schema).toBeNull();
    expect(props.defaultHeaders).toContain('<your API key>');
    expect(page.fetches).toBe(0);

    // The placeholder, or a half-typed key, changes nothing.
    props.onEditHeaders('{ "Authorization": "Bearer <your API key>" }');
    props.onEditHeaders('{ "Authorization": "Bearer mg_" }');
    page.runTimers();
    expect(page.render().schema).toBeNull();

    // A key: GraphiQL may now ask for the schema (schema undefined), with that key.
    props = page.render();
    props.onEditHeaders('{ "Authorization": "Bearer mg_0123456789abcdef0123" }');
    page.runTimers();
    expect(page.render().schema).toBeUndefined();
  });
});

interface GraphiqlProps {
  schema: unknown;
  defaultHeaders: string;
  onEditHeaders(headers: string): void;
}

/**
 * Runs the explorer page's own script against stand-ins for React, ReactDOM and GraphiQL that
 * record what it renders (no browser here): the schema prop is what decides, in GraphiQL 3, whether
 * it introspects on open (`null`: never; `undefined`: at once, with the Headers tab's content).
 */
function loadExplorerScript(script: string) {
  const state: unknown[] = [];
  const timers: Array<() => void> = [];
  let root: { type: () => { props: GraphiqlProps } } | undefined;
  let hook = 0;
  let fetches = 0;
  const GraphiQL = Object.assign(() => null, {
    createFetcher: () => () => {
      fetches++;
      return Promise.resolve({});
    },
  });
  const React = {
    createElement: (type: unknown, props: unknown) => ({ type, props }),
    useState: (initial: unknown) => {
      const index = hook++;
      if (!(index in state)) state[index] = initial;
      return [state[index], (value: unknown) => (state[index] = value)];
    },
    useRef: (initial: unknown) => {
      const index = hook++;
      if (!(index in state)) state[index] = { current: initial };
      return state[index];
    },
  };
  runInNewContext(script, {
    React,
    GraphiQL,
    ReactDOM: { createRoot: () => ({ render: (element: typeof root) => (root = element) }) },
    document: { getElementById: () => ({}) },
    setTimeout: (fn: () => void) => timers.push(fn),
    clearTimeout: () => timers.splice(0),
  });
  return {
    get fetches() {
      return fetches;
    },
    render(): GraphiqlProps {
      hook = 0;
      return root!.type().props;
    },
    runTimers() {
      for (const fn of timers.splice(0)) fn();
    },
  };
}
