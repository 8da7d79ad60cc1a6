/**
 * Reading typed parameters out of a parsed form body, and the error Stripe answers with when one
 * is wrong. Every refusal names the offending parameter the way Stripe does (`param:
 * 'line_items[0][quantity]'`), so a billing bug shows up as the error a real account would give.
 */
import { asList, type FormObject, type FormValue } from './form-body.js';

/** The `error` object of a Stripe error response (the SDK maps `type` and status to a class). */
export interface StripeErrorBody {
  type: 'card_error' | 'invalid_request_error' | 'idempotency_error' | 'api_error';
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  /** For card errors: the whole PaymentIntent that failed, as Stripe sends it. */
  payment_intent?: unknown;
  payment_method?: unknown;
}

/** An API refusal: HTTP status plus Stripe's error body. Thrown by routes, answered by the server. */
export class StripeApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

export function invalidRequest(message: string, param?: string, code?: string): StripeApiError {
  return new StripeApiError(400, {
    type: 'invalid_request_error',
    message,
    ...(param ? { param } : {}),
    ...(code ? { code } : {}),
  });
}

/** Stripe's 404: `No such checkout.session: 'cs_test_x'`. */
export function resourceMissing(objectName: string, id: string, param = 'id'): StripeApiError {
  return new StripeApiError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${objectName}: '${id}'`,
    param,
  });
}

export function optionalString(params: FormObject, name: string): string | undefined {
  const value = params[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string') throw invalidRequest(`Invalid string: ${name}`, name);
  return value;
}

export function requiredString(params: FormObject, name: string, param = name): string {
  const value = optionalString(params, name);
  if (value === undefined || value === '') {
    throw invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
  }
  return value;
}

export function optionalInteger(
  params: FormObject,
  name: string,
  param = name,
): number | undefined {
  const value = optionalString(params, name);
  if (value === undefined) return undefined;
  if (!/^-?\d+$/.test(value) || !Number.isSafeInteger(Number(value))) {
    throw invalidRequest(`Invalid integer: ${value}`, param);
  }
  return Number(value);
}

export function optionalBoolean(params: FormObject, name: string): boolean | undefined {
  const value = optionalString(params, name);
  if (value === undefined) return undefined;
  if (value !== 'true' && value !== 'false') {
    throw invalidRequest(`Invalid boolean: ${value}`, name);
  }
  return value === 'true';
}

export function optionalObject(params: FormObject, name: string): FormObject | undefined {
  const value = params[name];
  if (value === undefined || value === '') return undefined;
  if (typeof value === 'string' || Array.isArray(value)) {
    throw invalidRequest(`Invalid object: ${name}`, name);
  }
  return value;
}

export function objectList(params: FormObject, name: string): FormObject[] | undefined {
  const value: FormValue | undefined = params[name];
  if (value === undefined) return undefined;
  const list = asList(value);
  if (!list || list.some((item) => typeof item === 'string' || Array.isArray(item))) {
    throw invalidRequest(`Invalid array: ${name}`, name);
  }
  return list as FormObject[];
}

export function stringList(params: FormObject, name: string): string[] {
  const value = params[name];
  if (value === undefined) return [];
  const list = asList(value);
  if (!list || list.some((item) => typeof item !== 'string')) {
    throw invalidRequest(`Invalid array: ${name}`, name);
  }
  return list as string[];
}

/**
 * `metadata[key]=value` with Stripe's limits (50 keys, 40-character keys, 500-character values);
 * an empty value removes the key, as on update.
 */
export function readMetadata(
  params: FormObject,
  name = 'metadata',
  param = name,
  base: Record<string, string> = {},
): Record<string, string> {
  const given = optionalObject(params, name);
  const metadata = { ...base };
  if (!given) return metadata;
  for (const [key, value] of Object.entries(given)) {
    if (typeof value !== 'string') throw invalidRequest(`Invalid metadata value: ${key}`, param);
    if (key.length > 40) throw invalidRequest('Metadata keys are at most 40 characters.', param);
    if (value.length > 500)
      throw invalidRequest('Metadata values are at most 500 characters.', param);
    if (value === '') delete metadata[key];
    else metadata[key] = value;
  }
  if (Object.keys(metadata).length > 50) {
    throw invalidRequest('Metadata has at most 50 keys.', param);
  }
  return metadata;
}

/** A three-letter lowercase ISO currency (Stripe lowercases what it is sent). */
export function readCurrency(params: FormObject, name: string, param = name): string {
  const currency = requiredString(params, name, param).toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) throw invalidRequest(`Invalid currency: ${currency}`, param);
  return currency;
}

// Stripe's minimum charge for the currencies billing may use; others only need a positive amount.
const MINIMUM_AMOUNT: Record<string, number> = { usd: 50, eur: 50, gbp: 30 };

/** A positive amount in the currency's smallest unit, at least Stripe's minimum charge. */
export function checkChargeAmount(amount: number, currency: string, param: string): void {
  const minimum = MINIMUM_AMOUNT[currency] ?? 1;
  if (amount < minimum) {
    throw invalidRequest(
      `Amount must be at least ${minimum} ${currency} (smallest unit).`,
      param,
      'amount_too_small',
    );
  }
}

/**
 * Refuses a parameter the endpoint does not take, as Stripe does (`Received unknown parameter`):
 * a misspelt or unsupported parameter fails here as it would against a real account. `prefix`
 * names nested hashes (`payment_intent_data`).
 */
export function rejectUnknown(params: FormObject, allowed: readonly string[], prefix = ''): void {
  for (const key of Object.keys(params)) {
    if (allowed.includes(key)) continue;
    const name = prefix ? `${prefix}[${key}]` : key;
    throw invalidRequest(`Received unknown parameter: ${name}`, name);
  }
}
