import type { ApolloServerPlugin } from '@apollo/server';
import type { OperationDefinitionNode } from 'graphql';
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
    help: 'GraphQL request latency by operation (its root fields)',
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
      return {
        async didResolveOperation({ operation, contextValue }) {
          if (operation) contextValue.requestLog.operation = operationLabel(operation);
        },
        async willSendResponse({ contextValue }) {
          const seconds = Number(process.hrtime.bigint() - startedAt) / 1e9;
          requestDuration.observe({ operation: contextValue.requestLog.operation ?? 'invalid' }, seconds);
        },
      };
    },
  };

  return { registry, plugin, onTwoFactorEvent };
}

export type Metrics = ReturnType<typeof createMetrics>;

/** The root field names (bounded by the schema, unlike client-chosen operation names), once per operation. */
function operationLabel(operation: OperationDefinitionNode): string {
  let label = operationLabels.get(operation);
  if (label === undefined) {
    const fields = operation.selectionSet.selections.flatMap((s) => (s.kind === 'Field' ? [s.name.value] : []));
    label = [...new Set(fields)].sort().join(',') || operation.operation;
    operationLabels.set(operation, label);
  }
  return label;
}

/** Apollo keeps parsed documents, so a repeated operation is the same object: its label is computed once. */
const operationLabels = new WeakMap<OperationDefinitionNode, string>();
