/** What `npm start` prints once everything listens: where to go and which keys to use. */
export function printBanner(info: {
  url: string;
  production: boolean;
  adminKey: string | undefined;
  /** The Demo team, with its starting balance in whole credits. */
  demo: { teamId: string; secret: string; credits: number } | null;
  stores: string;
  seconds: number;
  /** Where the local TEST MODE payment provider's checkout pages are, when it runs. */
  testModePayments?: string;
}): void {
  const lines = [
    '',
    `Modelgraph is up at ${info.url}/graphql  (${info.stores}, ready in ${info.seconds.toFixed(1)} s)`,
    `  Web console:       ${info.url}/console  (sign in with an API key)`,
  ];
  if (!info.production) {
    lines.push(
      `  Apollo Sandbox:    ${info.url}/graphql  (needs internet)`,
      `  Offline explorer:  ${info.url}/explorer`,
    );
  }
  lines.push(
    `  Health: ${info.url}/healthz   Ready: ${info.url}/readyz   Metrics: ${info.url}/metrics`,
  );
  if (info.testModePayments) {
    lines.push(
      `  Payments: TEST MODE (no STRIPE_SECRET_KEY): checkout pages at ${info.testModePayments}, no real money`,
    );
  }
  if (info.adminKey)
    lines.push(
      '',
      `Admin key (this run only; set MODELGRAPH_ADMIN_KEY to fix one):`,
      `  ${info.adminKey}`,
    );
  if (info.demo) {
    lines.push(
      '',
      'Demo team member key (shown once):',
      `  ${info.demo.secret}`,
      '',
      `The Demo team has ${info.demo.credits} credits. The API counts in micro-credits, as strings:`,
      `a balance of "${info.demo.credits}000000" is ${info.demo.credits} credits, a cost of "4" is 0.000004 credits.`,
      '',
      'Try it:',
      `  curl -s ${info.url}/graphql -H 'content-type: application/json' \\`,
      `    -H 'authorization: Bearer ${info.demo.secret}' \\`,
      `    -d '{"query":"{ models(first: 3) { totalCount edges { node { id displayName } } } }"}'`,
    );
  } else if (!info.production) {
    lines.push('', 'The Demo team already exists: its key was printed when it was created.');
  }
  console.log(`${lines.join('\n')}\n`);
}
