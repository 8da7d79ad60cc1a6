/** Micro-credits (a string of an integer, as the API sends them) as credits, exactly. */
export function formatCredits(micros: string): string {
  const value = BigInt(micros);
  const sign = value < 0n ? '-' : '';
  const abs = value < 0n ? -value : value;
  const whole = abs / 1_000_000n;
  const fraction = (abs % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return `${sign}${whole.toLocaleString('en-US')}${fraction ? `.${fraction}` : ''} credits`;
}

/** An amount in a currency's minor unit (cents) as money, e.g. "$10.00". */
export function formatMoney(amountMinor: number, currency: string, digits: number): string {
  return new Intl.NumberFormat('en-US', {
    style: 'currency',
    currency: currency.toUpperCase(),
    minimumFractionDigits: digits,
  }).format(amountMinor / 10 ** digits);
}

/** Credits typed by a person ("2.5") as micro-credits, exactly; null when not a number. */
export function parseCredits(text: string): string | null {
  const match = /^(\d+)(?:\.(\d{0,6}))?$/.exec(text.trim());
  if (!match) return null;
  return (BigInt(match[1]!) * 1_000_000n + BigInt((match[2] ?? '').padEnd(6, '0'))).toString();
}

/** Micro-credits as the plain number of credits a person types ("2.5"). */
export function creditsText(micros: string): string {
  return formatCredits(micros)
    .replace(/ credits$/, '')
    .replace(/,/g, '');
}
