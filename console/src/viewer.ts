import { createContext, useContext } from 'react';
import type { ConsoleViewerQuery } from './generated/graphql';

export type ViewerData = ConsoleViewerQuery['viewer'];
export type TeamRef = ViewerData['memberships'][number]['team'];

/** Who is signed in, and the team the screens act for. */
export interface ViewerContext {
  viewer: ViewerData;
  team: TeamRef | undefined;
  /** Whether the viewer holds `scope` in the current team (organization admins hold all). */
  can: (scope: string) => boolean;
  isOrgAdmin: boolean;
}

export const Viewer = createContext<ViewerContext | null>(null);

export function useViewer(): ViewerContext {
  const context = useContext(Viewer);
  if (!context) throw new Error('useViewer outside a signed-in console');
  return context;
}

/**
 * The viewer acting for `teamId` among `teams` (their memberships' teams; every team for an
 * organization admin, who may have no membership at all).
 */
export function viewerContext(
  viewer: ViewerData,
  teams: TeamRef[],
  teamId: string | undefined,
): ViewerContext {
  const isOrgAdmin = viewer.roles.includes('ORG_ADMIN');
  const team = teams.find((t) => t.id === teamId) ?? teams[0];
  const membership = viewer.memberships.find((m) => m.team.id === team?.id);
  return {
    viewer,
    team,
    isOrgAdmin,
    can: (scope) => isOrgAdmin || (membership?.scopes.includes(scope) ?? false),
  };
}
