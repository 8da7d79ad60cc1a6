import { typed } from './typed-document.js';

// Typed operations the inference suites share. A field that is null only alongside an error is typed
// non-null: tests read it after expectNoErrors().

export interface Attempt {
  model: { id: string };
  provider: string;
  outcome: 'SUCCEEDED' | 'FAILED' | 'SKIPPED';
  error: string | null;
  httpStatus: number | null;
  latencyMs: number;
  retryAfterMs: number | null;
}

export interface Generation {
  id: string;
  route: string;
  text: string;
  finishReason: string;
  cost: string;
  chargeStatus: string;
  priceVersion: number;
  cached: boolean;
  shared: boolean;
  latencyMs: number;
  model: { id: string };
  usage: { inputTokens: number; outputTokens: number; totalTokens: number };
  attempts: Attempt[];
}

export interface GenerateVariables {
  i: { model: string; messages: Array<{ role: string; content: string }> } & Record<
    string,
    unknown
  >;
}

export const GENERATE = typed<{ generate: Generation }, GenerateVariables>(
  `mutation($i: GenerateInput!) { generate(input: $i) {
  id route text finishReason cost chargeStatus priceVersion cached shared latencyMs
  model { id }
  usage { inputTokens outputTokens totalTokens }
  attempts { model { id } provider outcome error httpStatus latencyMs retryAfterMs } } }`,
);

export interface Balance {
  available: string;
  held: string;
  posted: string;
  owed: string;
}

export const BALANCE = typed<{ team: { wallet: { balance: Balance } } }, { id: string }>(
  `query($id: ID!) { team(id: $id) { wallet { balance { available held posted owed } } } }`,
);

export interface Hold {
  status: string;
  amount: string;
  capturedAmount: string | null;
  excessAmount: string | null;
  owedAmount: string | null;
}

export const HOLDS = typed<{ team: { wallet: { holds: Hold[] } } }, { id: string }>(
  `query($id: ID!) { team(id: $id) { wallet {
  holds(first: 5) { status amount capturedAmount excessAmount owedAmount } } } }`,
);

export const GRANT = typed<
  { grantCredits: { id: string } },
  { w: string; a: string; k: string }
>(`mutation($w: ID!, $a: Micros!, $k: String!) {
  grantCredits(walletId: $w, amount: $a, idempotencyKey: $k) { id } }`);
