import { createContext, useContext } from 'react';
import type { ConsoleViewerQuery } from './generated/graphql';

export type ViewerData = ConsoleViewerQuery['viewer'];
export type Membership = ViewerData['memberships'][number];

/** Who is signed in, and the team the screens act for. */
export interface ViewerContext {
  viewer: ViewerData;
  team: Membership['team'] | undefined;
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

export function viewerContext(viewer: ViewerData, teamId: string | undefined): ViewerContext {
  const isOrgAdmin = viewer.roles.includes('ORG_ADMIN');
  const membership = viewer.memberships.find((m) => m.team.id === teamId) ?? viewer.memberships[0];
  return {
    viewer,
    team: membership?.team,
    isOrgAdmin,
    can: (scope) => isOrgAdmin || (membership?.scopes.includes(scope) ?? false),
  };
}
