import type { CodegenConfig } from '@graphql-codegen/cli';
import { apiSchemaSdl } from './build/api-schema.js';

/**
 * The console's typed operations (client preset) and their persisted-documents manifest
 * (`persisted-documents.json`: SHA-256 hex of each document → its text, the id the gateway's
 * trusted documents use). Operations live in .graphql files and the bundle imports only their
 * typed document constants, each replaced by its hash: the console sends ids and ships no query
 * text (decision 91).
 */
const config: CodegenConfig = {
  overwrite: true,
  schema: apiSchemaSdl(),
  documents: 'console/src/operations/*.graphql',
  generates: {
    'console/src/generated/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { mode: 'replaceDocumentWithHash', hashAlgorithm: 'sha256' },
      },
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        scalars: { DateTime: 'string', Micros: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
