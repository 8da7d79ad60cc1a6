import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import type { ViewerContext } from './viewer';

/** A screen of the console: its route, its link, and who may use it. */
export interface Screen {
  route: string;
  label: string;
  /** Whether the viewer may open it: the link is hidden and the route refused otherwise. */
  allowed: (viewer: ViewerContext) => boolean;
  component: LazyExoticComponent<ComponentType>;
}

/**
 * Every screen, in navigation order, each in a chunk of its own (loaded when first opened).
 */
export const SCREENS: Screen[] = [
  {
    route: '',
    label: 'Models',
    allowed: () => true,
    component: lazy(() => import('./screens/catalog')),
  },
  {
    route: 'playground',
    label: 'Playground',
    allowed: (v) => v.can('inference:invoke'),
    component: lazy(() => import('./screens/playground')),
  },
  {
    route: 'wallet',
    label: 'Wallet',
    allowed: (v) => v.can('wallet:read'),
    component: lazy(() => import('./screens/wallet')),
  },
  {
    route: 'credits',
    label: 'Buy credits',
    allowed: (v) => v.can('wallet:admin'),
    component: lazy(() => import('./screens/buy-credits')),
  },
  {
    route: 'usage',
    label: 'Usage',
    // Members read their team's usage (the API allows any member); admins pick any team.
    allowed: (v) => v.isOrgAdmin || v.team !== undefined,
    component: lazy(() => import('./screens/usage')),
  },
  {
    route: 'keys',
    label: 'API keys',
    allowed: (v) => v.can('policy:admin'),
    component: lazy(() => import('./screens/api-keys')),
  },
  {
    route: 'audit',
    label: 'Audit log',
    allowed: (v) => v.can('policy:admin'),
    component: lazy(() => import('./screens/audit-log')),
  },
  {
    route: 'teams',
    label: 'Teams',
    allowed: (v) => v.isOrgAdmin,
    component: lazy(() => import('./screens/teams')),
  },
];
