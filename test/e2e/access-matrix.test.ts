import { PRINCIPALS, startMatrix } from '../support/access-matrix/fixture.js';
import { OPERATIONS } from '../support/access-matrix/operations.js';
import { expectErrorCode, expectNoErrors } from '../support/graphql-client.js';
import { STORE_MODES } from '../support/test-env.js';
import { STACK_START_TIMEOUT_MS } from '../support/timeouts.js';

type Outcome = 'OK' | 'FORBIDDEN' | 'UNAUTHENTICATED';

const O = 'OK';
const F = 'FORBIDDEN';
/*
 * Columns follow PRINCIPALS up to the other team's ADMIN; revoked and expired keys are refused
 * (HTTP 401) before any rule runs, so their columns are added below. API keys never manage
 * people (addTeamMember/removeTeamMember), whatever their scopes; the catalog is org-wide, so any
 * team's models:read reads it.
 */
// prettier-ignore
const EXPECTED: Record<string, Outcome[]> = {
  //                      org OWNER ADMIN MEMBER VIEWER keyAll keyRead otherB
  registerModel:          [O,  F,    F,    F,     F,     F,     F,      F],
  updateModel:            [O,  F,    F,    F,     F,     F,     F,      F],
  deprecateModel:         [O,  F,    F,    F,     F,     F,     F,      F],
  registerProvider:       [O,  F,    F,    F,     F,     F,     F,      F],
  setModelRoute:          [O,  F,    F,    F,     F,     F,     F,      F],
  createTeam:             [O,  F,    F,    F,     F,     F,     F,      F],
  addTeamMember:          [O,  O,    O,    F,     F,     F,     F,      F],
  removeTeamMember:       [O,  O,    O,    F,     F,     F,     F,      F],
  createApiKey:           [O,  O,    O,    F,     F,     O,     F,      F],
  revokeApiKey:           [O,  O,    O,    F,     F,     O,     F,      F],
  grantCredits:           [O,  F,    F,    F,     F,     F,     F,      F],
  refund:                 [O,  F,    F,    F,     F,     F,     F,      F],
  debitCredits:           [O,  F,    F,    F,     F,     F,     F,      F],
  setWalletSuspended:     [O,  F,    F,    F,     F,     F,     F,      F],
  setLowBalanceThreshold: [O,  F,    F,    F,     F,     F,     F,      F],
  grantsForPayments:      [O,  F,    F,    F,     F,     F,     F,      F],
  balanceCrossings:       [O,  F,    F,    F,     F,     F,     F,      F],
  walletStatement:        [O,  O,    O,    O,     O,     O,     F,      F],
  authorizeHold:          [O,  F,    F,    F,     F,     F,     F,      F],
  captureHold:            [O,  F,    F,    F,     F,     F,     F,      F],
  spendFromHolds:         [O,  F,    F,    F,     F,     F,     F,      F],
  voidHold:               [O,  F,    F,    F,     F,     F,     F,      F],
  holdByKey:              [O,  F,    F,    F,     F,     F,     F,      F],
  setBudget:              [O,  O,    O,    F,     F,     O,     F,      F],
  setAutoRecharge:        [O,  O,    O,    F,     F,     O,     F,      F],
  setQuota:               [O,  F,    F,    F,     F,     F,     F,      F],
  setModelAccess:         [O,  F,    F,    F,     F,     F,     F,      F],
  removeModelAccess:      [O,  F,    F,    F,     F,     F,     F,      F],
  accessDecisions:        [O,  F,    F,    F,     F,     F,     F,      F],
  fieldUsage:             [O,  F,    F,    F,     F,     F,     F,      F],
  operationUsage:         [O,  F,    F,    F,     F,     F,     F,      F],
  'team members/apiKeys': [O,  O,    O,    F,     F,     O,     F,      F],
  auditLog:               [O,  O,    O,    F,     F,     O,     F,      F],
  'usage (team)':         [O,  O,    O,    O,     O,     O,     O,      F],
  'usage (organization)': [O,  F,    F,    F,     F,     F,     F,      F],
  wallet:                 [O,  O,    O,    O,     O,     O,     F,      F],
  'team wallet budget':   [O,  O,    O,    O,     O,     O,     F,      F],
  'team autoRecharge':    [O,  O,    O,    O,     O,     O,     F,      F],
  'provider secrets':     [O,  F,    F,    F,     F,     F,     F,      F],
  models:                 [O,  O,    O,    O,     O,     O,     O,      O],
  createCheckout:         [O,  O,    O,    F,     F,     O,     F,      F],
  purchase:               [O,  O,    O,    O,     O,     O,     F,      F],
  'team purchases':       [O,  O,    O,    O,     O,     O,     F,      F],
  paymentEvents:          [O,  F,    F,    F,     F,     F,     F,      F],
  creditPrices:           [O,  O,    O,    O,     O,     O,     O,      O],
  'team statement':       [O,  O,    O,    O,     O,     O,     F,      F],
  reconciliationRuns:     [O,  F,    F,    F,     F,     F,     F,      F],
  refundPurchase:         [O,  F,    F,    F,     F,     F,     F,      F],
  'purchase refunds':     [O,  O,    O,    O,     O,     O,     F,      F],
  // Team prompts (decision 98): admins (policy:admin) write, every member reads; a prompt id of
  // another team is NOT_FOUND, which test/e2e/orchestration/prompts.test.ts covers.
  createPrompt:           [O,  O,    O,    F,     F,     O,     F,      F],
  'team prompts':         [O,  O,    O,    O,     O,     O,     O,      F],
  // Flows and runs (decision 103) follow prompts; another team's are NOT_FOUND
  // (test/e2e/orchestration/flows.test.ts).
  createFlow:             [O,  O,    O,    F,     F,     O,     F,      F],
  'team flows':           [O,  O,    O,    O,     O,     O,     O,      F],
  'team flowRuns':        [O,  O,    O,    O,     O,     O,     O,      F],
};

const CELLS = Object.entries(EXPECTED).flatMap(([operation, row]) =>
  PRINCIPALS.map((principal, i) => ({
    principal,
    operation,
    expected: (row[i] ?? 'UNAUTHENTICATED') as Outcome,
  })),
);

// Every store mode: both together stay under ~20 s, and revocation and grant invalidation run
// through the shared cache, which is memory on embedded stores and Redis on real ones.
describe.each(STORE_MODES)('the access matrix (%s stores)', (mode) => {
  let matrix: Awaited<ReturnType<typeof startMatrix>>;
  beforeAll(async () => {
    matrix = await startMatrix(mode);
  }, STACK_START_TIMEOUT_MS);
  afterAll(() => matrix?.stop());

  it.each(CELLS)(
    '$principal × $operation → $expected',
    async ({ principal, operation, expected }) => {
      const op = OPERATIONS[operation]!;
      const response = await matrix.fixture.stack.request(op.query, {
        token: matrix.tokens[principal],
        variables: await op.vars(matrix.fixture),
      });
      if (expected === 'OK') {
        const data = expectNoErrors(response);
        expect(Object.values(data).every((value) => value !== null)).toBe(true);
      } else {
        expectErrorCode(response, expected);
        expect(response.status).toBe(expected === 'UNAUTHENTICATED' ? 401 : 200);
      }
    },
  );
});
