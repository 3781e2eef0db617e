import type { ApolloServerPlugin } from '@apollo/server';
import { DocumentNode, GraphQLSchema, Kind, OperationDefinitionNode, SelectionSetNode } from 'graphql';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { GatewayContext } from '../context';
import type { TwoFactorEvent, TwoFactorEventSink } from '../two-factor/two-factor-events';

const EVENT_COUNTERS: Record<TwoFactorEvent, { name: string; help: string }> = {
  'enrolment-confirmed': { name: 'gateway_enrolments_total', help: 'TOTP enrolments confirmed' },
  'challenge-issued': { name: 'gateway_challenges_issued_total', help: 'Second-factor challenges issued' },
  'challenge-passed': { name: 'gateway_challenges_passed_total', help: 'Challenges passed (TOTP or recovery code)' },
  'challenge-failed': { name: 'gateway_challenges_failed_total', help: 'Wrong answers to challenges' },
  'challenge-invalidated': { name: 'gateway_challenges_invalidated_total', help: 'Challenges invalidated by too many wrong answers' },
  'recovery-code-used': { name: 'gateway_recovery_codes_used_total', help: 'Recovery codes used' },
  'answer-rate-limited': { name: 'gateway_answers_rate_limited_total', help: 'Answers and new challenges refused by a lock-out, and answers refused by a per-IP limit' },
};

/** Prometheus metrics: request latency by operation, and the two-factor counters. */
export function createMetrics() {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requestDuration = new Histogram({
    name: 'gateway_graphql_request_duration_seconds',
    help: 'GraphQL request latency by root field (a request observes once per root field it asks for; "invalid" before any)',
    labelNames: ['operation'],
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  const counters = new Map(
    Object.entries(EVENT_COUNTERS).map(([event, { name, help }]) => [event, new Counter({ name, help, registers: [registry] })]),
  );

  const onTwoFactorEvent: TwoFactorEventSink = (event) => counters.get(event)?.inc();

  const plugin: ApolloServerPlugin<GatewayContext> = {
    async requestDidStart() {
      const startedAt = process.hrtime.bigint();
      let fields: readonly string[] = ['invalid'];
      return {
        async didResolveOperation({ schema, document, operation, contextValue }) {
          if (!operation) return;
          fields = rootFieldsOf(schema, document, operation);
          contextValue.requestLog.operation = fields.join(',');
        },
        async willSendResponse() {
          const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
          for (const field of fields) requestDuration.observe({ operation: field }, seconds);
        },
      };
    },
  };

  return { registry, plugin, onTwoFactorEvent };
}

export type Metrics = ReturnType<typeof createMetrics>;

/**
 * The root fields an operation asks for, each once, sorted: label values from the schema's fixed set (its root
 * type's fields and the spec's meta-fields), never from the client, so no document can add a series; fragments
 * on the root type count as the fields they spread. A name the schema lacks (validation refused it before
 * this runs) would read "unknown".
 */
function rootFieldsOf(schema: GraphQLSchema, document: DocumentNode, operation: OperationDefinitionNode): readonly string[] {
  let fields = rootFieldsByOperation.get(operation);
  if (fields === undefined) {
    const known = schema.getRootType(operation.operation)?.getFields() ?? {};
    const names = new Set<string>();
    const visited = new Set<string>();
    const collect = (selectionSet: SelectionSetNode) => {
      for (const selection of selectionSet.selections) {
        if (selection.kind === Kind.FIELD) names.add(Object.hasOwn(known, selection.name.value) || META_FIELDS.has(selection.name.value) ? selection.name.value : 'unknown');
        else if (selection.kind === Kind.INLINE_FRAGMENT) collect(selection.selectionSet);
        else if (!visited.has(selection.name.value)) {
          visited.add(selection.name.value);
          const fragment = document.definitions.find((d) => d.kind === Kind.FRAGMENT_DEFINITION && d.name.value === selection.name.value);
          if (fragment?.kind === Kind.FRAGMENT_DEFINITION) collect(fragment.selectionSet);
        }
      }
    };
    collect(operation.selectionSet);
    fields = [...names].sort();
    rootFieldsByOperation.set(operation, fields);
  }
  return fields;
}

const META_FIELDS = new Set(['__typename', '__schema', '__type']);

/** Apollo keeps parsed documents, so a repeated operation is the same object: its fields are found once. */
const rootFieldsByOperation = new WeakMap<OperationDefinitionNode, readonly string[]>();
