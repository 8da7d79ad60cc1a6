import { useRef, useState, type FormEvent } from 'react';
import { subscribe } from '../api/client';
import {
  CatalogModelsDocument,
  PlaygroundStreamDocument,
  type PlaygroundStreamSubscription,
} from '../generated/graphql';
import { Amount } from '../parts/amount';
import { ErrorNote } from '../parts/error-note';
import { useQuery } from '../use-query';
import { useViewer } from '../viewer';

type Event = PlaygroundStreamSubscription['generateStream'];
type Outcome = Extract<Event, { __typename: 'GenerationCompleted' | 'GenerationFailed' }>;

/**
 * Streaming chat with any model the team may use (generateStream over SSE): the text as it is
 * written with the output tokens so far and a running cost estimate priced from the model's
 * output price, then the tokens and the exact cost the ledger charged, which replace them.
 */
export default function Playground() {
  const { team } = useViewer();
  const models = useQuery(CatalogModelsDocument, {
    filter: { capabilities: ['CHAT'] },
    teamId: team?.id ?? null,
  });
  const allowed = (models.data?.models.edges ?? [])
    .map((e) => e.node)
    .filter((m) => m.access.allowed);
  const [model, setModel] = useState('');
  const [prompt, setPrompt] = useState('');
  const [text, setText] = useState('');
  const [outputTokens, setOutputTokens] = useState(0);
  const [outcome, setOutcome] = useState<Outcome>();
  const [error, setError] = useState<Error>();
  const [running, setRunning] = useState(false);
  const abort = useRef<AbortController>(undefined);
  const chosen = model || allowed[0]?.id || '';
  const price = allowed.find((m) => m.id === chosen)?.pricing.outputPerMillion;

  const send = async (event: FormEvent) => {
    event.preventDefault();
    abort.current = new AbortController();
    setText('');
    setOutputTokens(0);
    setOutcome(undefined);
    setError(undefined);
    setRunning(true);
    try {
      await subscribe(
        PlaygroundStreamDocument,
        {
          input: {
            model: chosen,
            teamId: team?.id,
            messages: [{ role: 'USER', content: prompt }],
            // Its own hold, captured exactly: a retry never charges twice.
            idempotencyKey: crypto.randomUUID(),
          },
        },
        ({ generateStream: e }) => {
          if (e.__typename === 'GenerationDelta') {
            setText((t) => t + e.text);
            setOutputTokens(e.outputTokens);
          } else setOutcome(e);
        },
        abort.current.signal,
      );
    } catch (failure) {
      if (!abort.current.signal.aborted) setError(failure as Error);
    } finally {
      setRunning(false);
    }
  };

  return (
    <>
      <h1>Playground</h1>
      <ErrorNote error={models.error} />
      <form onSubmit={send} className="stack">
        <label htmlFor="model">Model</label>
        <select id="model" value={chosen} onChange={(e) => setModel(e.target.value)}>
          {allowed.map((m) => (
            <option key={m.id} value={m.id}>
              {m.displayName} ({m.id})
            </option>
          ))}
        </select>
        <label htmlFor="prompt">Message</label>
        <textarea
          id="prompt"
          rows={4}
          value={prompt}
          onChange={(e) => setPrompt(e.target.value)}
          required
        />
        <div className="actions">
          <button type="submit" disabled={running || !chosen}>
            Send
          </button>
          <button type="button" disabled={!running} onClick={() => abort.current?.abort()}>
            Stop
          </button>
        </div>
      </form>
      <ErrorNote error={error} />
      <section aria-labelledby="reply-heading">
        <h2 id="reply-heading">Reply</h2>
        <p className="reply" aria-busy={running}>
          {text}
        </p>
        <p role="status">
          {running && !outcome && <Running outputTokens={outputTokens} price={price} />}
          {outcome && <Summary outcome={outcome} />}
        </p>
      </section>
    </>
  );
}

/** µcr of `tokens` at `perMillion` µcr per million tokens, rounded up as the ledger rounds. */
function costOf(tokens: number, perMillion: string): string {
  return ((BigInt(tokens) * BigInt(perMillion) + 999_999n) / 1_000_000n).toString();
}

/** While the reply streams: its output tokens so far and what they cost, an estimate. */
function Running({ outputTokens, price }: { outputTokens: number; price?: string }) {
  return (
    <span className="running" data-testid="running-estimate" data-tokens={outputTokens}>
      Streaming… {outputTokens} output tokens so far
      {price !== undefined && (
        <>
          , estimated cost <Amount micros={costOf(outputTokens, price)} /> (output only; the charged
          cost, prompt included, replaces this estimate when the reply ends)
        </>
      )}
      .
    </span>
  );
}

function Summary({ outcome }: { outcome: Outcome }) {
  const { generation } = outcome;
  return (
    <span className="summary">
      {outcome.__typename === 'GenerationFailed'
        ? `Stopped (${outcome.code}): ${outcome.message}. `
        : 'Done. '}
      {generation.usage.inputTokens} input and {generation.usage.outputTokens} output tokens, cost{' '}
      <Amount micros={generation.cost} />.
    </span>
  );
}
