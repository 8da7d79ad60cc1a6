import { createPermissions, isAuthenticated } from '../../lib/auth/shield-rules.js';

/** Anyone signed in reads orchestrationInfo. What is not named is denied. */
export const orchestrationPermissions = createPermissions({
  Query: { orchestrationInfo: isAuthenticated },
  OrchestrationInfo: isAuthenticated,
});
