import { GraphQLRequestError } from '../api/client';

/** A failed request, as the person can act on it: the message and its stable code. */
export function ErrorNote({ error }: { error: Error | undefined }) {
  if (!error) return null;
  const code = error instanceof GraphQLRequestError ? ` (${error.code})` : '';
  return (
    <p role="alert" className="error">
      {error.message}
      {code}
    </p>
  );
}
