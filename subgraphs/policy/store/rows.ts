import type { Scope, TeamRole } from '../../../lib/auth/principal.js';

export interface TeamRow {
  id: string;
  name: string;
  createdBy: string;
  createdAt: Date;
}

export interface MemberRow {
  teamId: string;
  userId: string;
  role: TeamRole;
  updatedAt: Date;
}

export interface ApiKeyRow {
  id: string;
  teamId: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  createdBy: string;
  createdAt: Date;
  expiresAt: Date | null;
  revokedAt: Date | null;
  lastUsedAt: Date | null;
}

export interface CreatedApiKeyRow {
  apiKey: ApiKeyRow;
  secret: string;
}

/** A Model as the gateway hands it to the policy subgraph, with the catalog fields it requires. */
export interface ModelRepresentation {
  id: string;
  provider?: { id: string };
  capabilities?: string[];
  tags?: string[];
  dataClassification?: 'PUBLIC' | 'INTERNAL' | 'CONFIDENTIAL' | 'RESTRICTED';
}
