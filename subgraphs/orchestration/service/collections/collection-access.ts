import { hasScope, isOrgAdmin, type Principal } from '../../../../lib/auth/principal.js';
import { forbidden, notFound } from '../../../../lib/errors.js';
import type { CollectionRow } from '../../store/collection-rows.js';

/**
 * Who may do what with a team's collections (decision 102): members of the team read them;
 * searching and ingesting call the collection's embedding model for the team, so they need
 * inference:invoke there (as `embed` does), and so does removing a document; team admins
 * (policy:admin) create and delete collections; organization admins do anything. Another team's
 * collection does not exist for the caller (NOT_FOUND), so ids reveal nothing.
 */
export function readable(
  principal: Principal,
  collection: CollectionRow | null,
  id: string,
): CollectionRow {
  if (
    !collection ||
    !(isOrgAdmin(principal) || principal.teams.some((t) => t.id === collection.teamId))
  ) {
    throw notFound('Collection', id);
  }
  return collection;
}

/** The collection, when the caller may call its model for the team (search, ingest). */
export function usable(
  principal: Principal,
  collection: CollectionRow | null,
  id: string,
): CollectionRow {
  const found = readable(principal, collection, id);
  if (!hasScope(principal, 'inference:invoke', found.teamId)) {
    throw forbidden(
      "This calls the collection's embedding model: it needs inference:invoke in its team.",
    );
  }
  return found;
}

/** The collection, when the caller may delete it (team admins, organization admins). */
export function administrable(
  principal: Principal,
  collection: CollectionRow | null,
  id: string,
): CollectionRow {
  const found = readable(principal, collection, id);
  if (!hasScope(principal, 'policy:admin', found.teamId)) {
    throw forbidden("Only the team's admins (policy:admin) may delete its collections.");
  }
  return found;
}
