/**
 * `/v1/customers`, `/v1/setup_intents`, `/v1/payment_methods` and `/v1/events`: the account's
 * people, their saved cards, and the event log billing reconciles against (every emitted event
 * is kept and listable, newest first, filtered by `type` with Stripe's `*` wildcard or `types[]`).
 */
import { LIST_PARAMS, type ApiRoute } from './api-router.js';
import { newId, type EmulatedCustomer, type EmulatedEvent } from './emulator-objects.js';
import type { EmulatorState } from './emulator-state.js';
import type { FormObject } from './form-body.js';
import { listPage } from './list-page.js';
import {
  invalidRequest,
  optionalString,
  readMetadata,
  resourceMissing,
  stringList,
} from './request-params.js';

function createCustomer(state: EmulatorState, params: FormObject): EmulatedCustomer {
  const customer: EmulatedCustomer = {
    id: newId('cus'),
    object: 'customer',
    created: state.now(),
    livemode: false,
    email: optionalString(params, 'email') ?? null,
    name: optionalString(params, 'name') ?? null,
    description: optionalString(params, 'description') ?? null,
    metadata: readMetadata(params),
  };
  state.customers.set(customer.id, customer);
  return customer;
}

/** `charge.*` matches `charge.refunded` and `charge.dispute.created`, as Stripe's filter does. */
function typeMatcher(params: FormObject): (event: EmulatedEvent) => boolean {
  const single = optionalString(params, 'type');
  const many = stringList(params, 'types');
  if (single !== undefined && many.length > 0) {
    throw invalidRequest('Pass either type or types, not both.', 'types');
  }
  const patterns = single !== undefined ? [single] : many;
  if (patterns.length === 0) return () => true;
  const tests = patterns.map((pattern) => {
    const escaped = pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*');
    return new RegExp(`^${escaped}$`);
  });
  return (event) => tests.some((test) => test.test(event.type));
}

export function createAccountRoutes(deps: { state: EmulatorState }): ApiRoute[] {
  const { state } = deps;
  return [
    {
      method: 'POST',
      path: '/v1/customers',
      params: ['email', 'name', 'description', 'metadata'],
      handle: ({ params }) => createCustomer(state, params),
    },
    {
      method: 'GET',
      path: '/v1/customers/:id',
      params: [],
      handle: ({ id }) => state.customer(id),
    },
    {
      method: 'GET',
      path: '/v1/setup_intents/:id',
      params: [],
      handle: ({ id }) => {
        const found = state.setupIntents.get(id);
        if (!found) throw resourceMissing('setup_intent', id);
        return found;
      },
    },
    {
      method: 'GET',
      path: '/v1/payment_methods/:id',
      params: [],
      handle: ({ id }) => state.paymentMethod(id),
    },
    {
      method: 'GET',
      path: '/v1/events/:id',
      params: [],
      handle: ({ id }) => {
        const found = state.events.get(id);
        if (!found) throw resourceMissing('event', id);
        return found;
      },
    },
    {
      method: 'GET',
      path: '/v1/events',
      params: [...LIST_PARAMS, 'type', 'types'],
      handle: ({ params }) =>
        listPage(state.events.values(), params, '/v1/events', 'event', typeMatcher(params)),
    },
  ];
}
