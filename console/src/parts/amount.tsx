import { formatCredits } from '../money';

/** An amount of credits, exact; `data-micros` carries the API's integer for tests and copying. */
export function Amount({ micros }: { micros: string }) {
  return (
    <span className="amount" data-micros={micros}>
      {formatCredits(micros)}
    </span>
  );
}
