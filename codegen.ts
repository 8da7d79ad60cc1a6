import { existsSync, readdirSync } from 'node:fs';
import type { CodegenConfig } from '@graphql-codegen/cli';

/**
 * One resolver-types file per subgraph, with its own context type and mappers from GraphQL types
 * to the rows its store returns. Generated files are committed; test/codegen.test.ts fails when
 * they drift from the schemas. A subgraph folder not listed here (as `npm run subgraph:new` writes
 * it) gets its `<Name>Context` and no mappers; list it once it needs some.
 */
interface SubgraphTypes {
  name: string;
  context: string;
  mappers: Record<string, string>;
}

const SUBGRAPHS: SubgraphTypes[] = [
  {
    name: 'model-catalog',
    context: 'CatalogContext',
    mappers: {
      Model: '../store/model-rows.js#ModelRow',
      Provider: '../store/model-rows.js#ProviderRow',
      ModelRoute: '../store/model-rows.js#RouteRow',
      RouteTarget: '../store/model-rows.js#RouteTargetRow',
      Pricing: '../store/model-rows.js#PriceRow',
      Lifecycle: '../store/model-rows.js#ModelRow',
      ModelConnection: '../../../lib/graphql/connection.js#Connection<ModelRow>',
      ModelEdge: '../../../lib/graphql/connection.js#Edge<ModelRow>',
    },
  },
  {
    name: 'policy',
    context: 'PolicyContext',
    mappers: {
      Team: '../store/rows.js#TeamRow',
      TeamMember: '../store/rows.js#MemberRow',
      ApiKey: '../store/rows.js#ApiKeyRow',
      CreatedApiKey: '../store/rows.js#CreatedApiKeyRow',
      Viewer: '../../../lib/auth/principal.js#Principal',
      Membership: '../../../lib/auth/principal.js#TeamGrant',
      Model: '../store/rows.js#ModelRepresentation',
      AuditEvent: '../store/audit-store.js#AuditEventRow',
      AccessRule: '../store/access-rule-store.js#AccessRuleRow',
      AuditEventConnection: '../../../lib/graphql/connection.js#Connection<AuditEventRow>',
      AuditEventEdge: '../../../lib/graphql/connection.js#Edge<AuditEventRow>',
      TrustedDocument: '../store/trusted-document-store.js#TrustedDocumentRow',
      TrustedDocumentConnection:
        '../../../lib/graphql/connection.js#Connection<TrustedDocumentRow>',
      TrustedDocumentEdge: '../../../lib/graphql/connection.js#Edge<TrustedDocumentRow>',
    },
  },
  {
    name: 'wallet',
    context: 'WalletContext',
    mappers: {
      Wallet: '../store/ledger-reads.js#WalletRow',
      Budget: '../store/ledger-reads.js#WalletRow',
      ModelUsage: '../store/ledger-reads.js#ModelUsageRow',
      Transaction: '../store/transfer-rows.js#TransferRow',
      TransactionConnection: '../../../lib/graphql/connection.js#Connection<TransferRow>',
      TransactionEdge: '../../../lib/graphql/connection.js#Edge<TransferRow>',
      Hold: '../store/transfer-rows.js#HoldRow',
      HoldSpend: '../store/transfer-rows.js#SpendRow',
      Debit: '../store/debit-statements.js#DebitRow',
      BalanceCrossing: '../store/funding-reads.js#CrossingRow',
      BalanceCrossingConnection: '../../../lib/graphql/connection.js#Connection<CrossingRow>',
      BalanceCrossingEdge: '../../../lib/graphql/connection.js#Edge<CrossingRow>',
      WalletStatement: '../service/statement.js#StatementRow',
      Team: '../../../lib/graphql/entity-ref.js#EntityRef',
      Model: '../../../lib/graphql/entity-ref.js#EntityRef',
    },
  },
  {
    name: 'billing',
    context: 'BillingContext',
    mappers: {
      Team: '../../../lib/graphql/entity-ref.js#EntityRef',
      Purchase: '../store/purchase-rows.js#PurchaseRow',
      PurchaseConnection: '../../../lib/graphql/connection.js#Connection<PurchaseRow>',
      PurchaseEdge: '../../../lib/graphql/connection.js#Edge<PurchaseRow>',
      PaymentEvent: '../store/event-store.js#ProviderEventRow',
      PaymentEventConnection: '../../../lib/graphql/connection.js#Connection<ProviderEventRow>',
      PaymentEventEdge: '../../../lib/graphql/connection.js#Edge<ProviderEventRow>',
      Statement: '../service/statements/monthly-statement.js#StatementRow',
      ReconciliationRun: '../store/reconciliation-store.js#ReconciliationRunRow',
      ReconciliationFinding: '../store/reconciliation-store.js#ReconciliationFindingRow',
      Refund: '../store/refund-store.js#RefundRow',
      Dispute: '../store/dispute-store.js#DisputeRow',
    },
  },
  {
    name: 'inference',
    context: 'InferenceContext',
    mappers: {
      Model: '../../../lib/graphql/entity-ref.js#EntityRef',
      ModelHealth: '../service/model-health.js#HealthSnapshot',
      Generation: '../service/saga/generate.js#GenerationResult',
      GenerationDelta: '../service/saga/stream-events.js#DeltaEvent',
      Embeddings: '../service/saga/embed.js#EmbeddingsResult',
      ProviderAttempt: '../service/routing/run-attempts.js#Attempt',
    },
  },
  {
    name: 'orchestration',
    context: 'OrchestrationContext',
    mappers: {
      Prompt: '../store/prompt-rows.js#PromptRow',
      PromptVersion: '../store/prompt-rows.js#PromptVersionRow',
      PromptLabel: '../store/prompt-rows.js#PromptLabelRow',
      RenderedPrompt: '../service/prompt-render.js#PromptRendering',
      PromptConnection: '../../../lib/graphql/connection.js#Connection<PromptRow>',
      PromptEdge: '../../../lib/graphql/connection.js#Edge<PromptRow>',
      PromptVersionConnection: '../../../lib/graphql/connection.js#Connection<PromptVersionRow>',
      PromptVersionEdge: '../../../lib/graphql/connection.js#Edge<PromptVersionRow>',
      Collection: '../store/collection-rows.js#CollectionRow',
      CollectionDocument: '../store/collection-rows.js#CollectionDocumentRow',
      CollectionConnection: '../../../lib/graphql/connection.js#Connection<CollectionRow>',
      CollectionEdge: '../../../lib/graphql/connection.js#Edge<CollectionRow>',
      CollectionDocumentConnection:
        '../../../lib/graphql/connection.js#Connection<CollectionDocumentRow>',
      CollectionDocumentEdge: '../../../lib/graphql/connection.js#Edge<CollectionDocumentRow>',
      IngestResult: '../service/collections/collections.js#IngestAnswer',
      CollectionSearchResult: '../service/collections/collections.js#SearchAnswer',
      Flow: '../store/flow-store.js#FlowRow',
      FlowVersion: '../store/flow-store.js#FlowVersionRow',
      FlowLabel: '../store/flow-store.js#FlowLabelRow',
      FlowRun: '../store/run-store.js#RunRow',
      FlowRunStep: '../service/flows/flow-runner.js#StepRecord',
      FlowRunEvent: '../service/flows/run-progress.js#ProgressEvent',
      FlowConnection: '../../../lib/graphql/connection.js#Connection<FlowRow>',
      FlowEdge: '../../../lib/graphql/connection.js#Edge<FlowRow>',
      FlowRunConnection: '../../../lib/graphql/connection.js#Connection<RunRow>',
      FlowRunEdge: '../../../lib/graphql/connection.js#Edge<RunRow>',
    },
  },
];

const pascal = (name: string) =>
  name.replace(/(^|-)([a-z0-9])/g, (_m, _dash, letter: string) => letter.toUpperCase());
const listed = new Set(SUBGRAPHS.map((s) => s.name));
const unlisted: SubgraphTypes[] = readdirSync('subgraphs', { withFileTypes: true })
  .filter((d) => d.isDirectory() && !listed.has(d.name))
  .filter((d) => existsSync(`subgraphs/${d.name}/schema.graphql`))
  .map((d) => ({ name: d.name, context: `${pascal(d.name)}Context`, mappers: {} }));

const config: CodegenConfig = {
  overwrite: true,
  generates: Object.fromEntries(
    [...SUBGRAPHS, ...unlisted].map(({ name, context, mappers }) => [
      `subgraphs/${name}/generated/resolvers-types.ts`,
      {
        schema: [`subgraphs/${name}/schema.graphql`, 'schema/federation-directives.graphql'],
        plugins: [
          {
            add: {
              content: '/* eslint-disable */\n// Generated by `npm run codegen`: do not edit.',
            },
          },
          'typescript',
          'typescript-resolvers',
        ],
        config: {
          federation: true,
          useIndexSignature: true,
          useTypeImports: true,
          enumsAsTypes: true,
          contextType: `../context.js#${context}`,
          mappers,
          scalars: { DateTime: 'Date', Micros: 'bigint', JSON: 'unknown' },
        },
      },
    ]),
  ),
};

export default config;
