/** A query through four subgraphs (policy's team, wallet, billing, catalog and inference's health). */
const QUERY = `query Load($t: ID!) {
  team(id: $t) { id wallet { balance { available } } purchases(first: 1) { totalCount } }
  models(first: 2) { edges { node { id health { status } } } }
}`;
const GENERATE = `mutation Paid($i: GenerateInput!) {
  generate(input: $i) { id cost chargeStatus }
}`;

/** Far above any answer's time here; only a request left hanging reaches it. */
const REQUEST_TIMEOUT_MS = 30_000;

export type LoadKind = 'query' | 'paid';

/** One request that did not get its answer: an HTTP error, a GraphQL error, a network failure. */
export interface LoadFailure {
  kind: LoadKind;
  detail: string;
}

export interface SteadyLoad {
  /** Requests answered in full so far, by kind. */
  readonly answered: Record<LoadKind, number>;
  /** Queries sent again after a kept-alive connection closed before any answer (as browsers do). */
  readonly retried: { count: number };
  readonly failures: LoadFailure[];
  /** Lets each client finish the request it is on, then stops them. */
  stop(): Promise<void>;
}

/**
 * Clients that each send one request after another, as fast as they are answered, through the
 * gateway at `base`: `queries` clients send QUERY, `paid` clients a paid `generate` with an
 * idempotency key of their own. Every answer that is not a 200 without errors is a failure,
 * except a query sent again (at most twice) after its connection closed unanswered (counted in
 * `retried`).
 */
export function startSteadyLoad(options: {
  base: string;
  key: string;
  teamId: string;
  queries: number;
  paid: number;
  /** What the query clients send (its `$t` is the team's id). @default QUERY */
  query?: string;
}): SteadyLoad {
  const answered: Record<LoadKind, number> = { query: 0, paid: 0 };
  const failures: LoadFailure[] = [];
  const retried = { count: 0 };
  let running = true;
  let sequence = 0;

  // Resends left for a query: a resend may itself go out on another pooled connection that a
  // draining replica is closing (a CI run saw the race twice in a row), where a browser would
  // open a new one.
  const send = async (kind: LoadKind, resends = kind === 'query' ? 2 : 0): Promise<void> => {
    const variables =
      kind === 'query'
        ? { t: options.teamId }
        : {
            i: {
              model: 'local/echo-chat',
              messages: [{ role: 'USER', content: `steady load ${++sequence}` }],
              maxTokens: 16,
              idempotencyKey: `steady-${process.pid}-${sequence}-${Date.now()}`,
            },
          };
    try {
      // A request never answered is a failure too, not a hang.
      const response = await fetch(`${options.base}/graphql`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${options.key}` },
        body: JSON.stringify({
          query: kind === 'query' ? (options.query ?? QUERY) : GENERATE,
          variables,
        }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      const body = (await response.json()) as { errors?: unknown };
      if (response.status === 200 && !body.errors) answered[kind] += 1;
      else failures.push({ kind, detail: `${response.status} ${JSON.stringify(body)}` });
    } catch (error) {
      const cause = (error as Error).cause as { code?: string; message?: string } | undefined;
      // An idle kept-alive connection a draining replica closed as this request went out on it:
      // HTTP/1.1's race, which no server can close. Nothing was answered, so a query goes again,
      // as browsers do; a paid call is never sent twice here.
      if (resends > 0 && cause?.code === 'UND_ERR_SOCKET') {
        retried.count += 1;
        return send(kind, resends - 1);
      }
      failures.push({
        kind,
        detail: `${(error as Error).message}: ${cause?.code ?? ''} ${cause?.message ?? ''}`,
      });
    }
  };
  const client = async (kind: LoadKind) => {
    while (running) await send(kind);
  };
  const clients = [
    ...Array.from({ length: options.queries }, () => client('query')),
    ...Array.from({ length: options.paid }, () => client('paid')),
  ];
  return {
    answered,
    retried,
    failures,
    async stop() {
      running = false;
      await Promise.all(clients);
    },
  };
}
