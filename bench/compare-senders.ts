import { request, type Agent } from 'undici';

/*
 * The one call every system in bench:compare answers, as each one takes it: the same OpenAI chat
 * request (64 output tokens) on the OpenAI wire format, or as Modelgraph's `generate` mutation.
 * A sender resolves true on a success and throws what came back otherwise (the load generator
 * counts that as an error; a first probe call shows it).
 */
export type Sender = (dispatcher: Agent) => Promise<boolean>;

function failed(status: number, json: unknown): never {
  throw new Error(`${status} ${JSON.stringify(json).slice(0, 600)}`);
}

const PROMPT = 'Summarise why benchmarks need a baseline.';

/** `POST <url>` with an OpenAI chat body; a success is a 200 with choices. */
export function chatSender(url: string, headers: Record<string, string>, model: string): Sender {
  const body = JSON.stringify({
    model,
    messages: [{ role: 'user', content: PROMPT }],
    max_tokens: 64,
  });
  return async (dispatcher) => {
    const response = await request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body,
      dispatcher,
    });
    const json = (await response.body.json()) as { choices?: unknown[] };
    return (
      (response.statusCode === 200 && Array.isArray(json.choices)) ||
      failed(response.statusCode, json)
    );
  };
}

/** The `generate` mutation at `graphqlUrl`; a success is a generation without errors. */
export function generateSender(graphqlUrl: string, key: string, model: string): Sender {
  const body = JSON.stringify({
    query: `mutation($i: GenerateInput!) { generate(input: $i) { id cost } }`,
    variables: {
      i: { model, messages: [{ role: 'USER', content: PROMPT }], maxTokens: 64 },
    },
  });
  return async (dispatcher) => {
    const response = await request(graphqlUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` },
      body,
      dispatcher,
    });
    const json = (await response.body.json()) as {
      data?: { generate?: unknown };
      errors?: unknown;
    };
    return (
      (response.statusCode === 200 && !json.errors && Boolean(json.data?.generate)) ||
      failed(response.statusCode, json)
    );
  };
}
