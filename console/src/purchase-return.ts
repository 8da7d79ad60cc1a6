/**
 * The purchase a checkout was started for, kept in this tab while the payer is at the provider's
 * page, so the wallet knows which GRANT to wait for when they come back.
 */
const KEY = 'modelgraph.console.purchase';

export function rememberPurchase(id: string): void {
  sessionStorage.setItem(KEY, id);
}

export function awaitedPurchase(): string | null {
  return sessionStorage.getItem(KEY);
}
