import type Stripe from 'stripe';
import type { CustomerStore } from '../store/customer-store.js';
import { callProvider } from './provider-errors.js';

/**
 * Each team's customer at the provider, made on first need. The provider's idempotency key
 * (`customer:<teamId>`) makes two first needs at once, or a retry after a crash between the
 * provider's answer and our insert, end with one customer; the table keeps the first recorded.
 */
export function createTeamCustomers(deps: { stripe: Stripe; customers: CustomerStore }) {
  const { stripe, customers } = deps;
  return {
    async customerFor(teamId: string): Promise<string> {
      const known = await customers.customerOf(teamId);
      if (known) return known;
      const created = await callProvider(() =>
        stripe.customers.create(
          { metadata: { teamId }, description: `Modelgraph team ${teamId}` },
          { idempotencyKey: `customer:${teamId}` },
        ),
      );
      return customers.record(teamId, created.id);
    },

    /** The team a provider customer belongs to, or null when it is not one of ours. */
    teamOf: (customerId: string): Promise<string | null> => customers.teamOf(customerId),
  };
}

export type TeamCustomers = ReturnType<typeof createTeamCustomers>;
