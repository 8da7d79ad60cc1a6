import {
  createPermissions,
  hasScopeInAnyTeam,
  isAuthenticated,
} from '../../lib/auth/shield-rules.js';

export const inferencePermissions = createPermissions({
  Model: hasScopeInAnyTeam('models:read'),
  ModelHealth: isAuthenticated,
});
