import { expectNoErrors } from './graphql-client.js';
import type { CallingTeam } from './inference-setup.js';
import type { Stack } from './stack.js';
import { typed } from './typed-document.js';

const METRIC = 'inference_charged_microcredits_total';

/** What the inference subgraph's metric has counted as charged, per model. */
export async function chargedByModel(stack: Stack): Promise<Map<string, bigint>> {
  const url = new URL('/metrics', stack.subgraphUrls.inference!).toString();
  const text = await (await fetch(url)).text();
  const counted = new Map<string, bigint>();
  for (const line of text.split('\n')) {
    const match = new RegExp(`^${METRIC}\\{model="([^"]+)"[^}]*\\} (\\d+)$`).exec(line);
    if (match) counted.set(match[1]!, BigInt(match[2]!));
  }
  return counted;
}

/**
 * Watches one team's money from now on: what the ledger charged it (captures, excess and what it
 * owes: posted going down plus owed going up, so no grants in between) and what the metric
 * counted for `models`. `expectAgrees(reported)` then checks all three are the same figure.
 */
export async function watchMoney(stack: Stack, team: CallingTeam, models: string[]) {
  const read = async () => {
    const balance = await team.balance();
    const metric = await chargedByModel(stack);
    return {
      ledger: BigInt(balance.owed) - BigInt(balance.posted),
      metric: models.reduce((sum, m) => sum + (metric.get(m) ?? 0n), 0n),
    };
  };
  const start = await read();
  return {
    /**
     * The ledger and the metric moved by exactly what the calls reported; the ledger by
     * `unreported` more when calls that reported nothing were charged (a refused call whose
     * capture committed with its answer lost).
     */
    async expectAgrees(reported: bigint, unreported = 0n) {
      const now = await read();
      expect({ ledger: now.ledger - start.ledger, metric: now.metric - start.metric }).toEqual({
        ledger: reported + unreported,
        metric: reported,
      });
    },
  };
}

/** The sum of reported costs (decimal strings). */
export const total = (costs: Array<{ cost: string }>) =>
  costs.reduce((sum, c) => sum + BigInt(c.cost), 0n);

/** A hold as the ledger shows it, with what spends took from it (a credit lease's calls). */
export interface LedgerHold {
  id: string;
  status: string;
  amount: string;
  spentAmount: string;
}

/** A charging entry: CAPTURE or SPEND naming its hold, EXCESS or OWED naming what it goes beyond. */
export interface ChargeEntry {
  id: string;
  kind: string;
  amount: string;
  relatedId: string | null;
}

const CHARGES = typed<
  {
    team: {
      wallet: {
        holds: LedgerHold[];
        transactions: { edges: Array<{ node: ChargeEntry }> };
      };
    };
  },
  { id: string }
>(`query($id: ID!) { team(id: $id) { wallet {
  holds(first: 5) { id status amount spentAmount }
  transactions(first: 20, filter: { kinds: [CAPTURE, SPEND, EXCESS, OWED] }) {
    edges { node { id kind amount relatedId } } } } } }`);

/**
 * How the ledger charged a team, newest first: its holds and its charging entries. A call on a
 * credit lease is a SPEND against the lease's hold, and what the hold could not cover an EXCESS
 * (or OWED) naming that SPEND (decision 62).
 */
export async function chargesOf(team: CallingTeam) {
  const { wallet } = expectNoErrors(await team.call(CHARGES, { id: team.teamId })).team;
  return { holds: wallet.holds, entries: wallet.transactions.edges.map((e) => e.node) };
}
