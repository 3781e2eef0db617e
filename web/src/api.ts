import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';
import { session } from './session';

/** A GraphQL error from the gateway, by its contract code (`extensions.code`): branch on `code`, never on the text. */
export class GatewayError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly extensions: Record<string, unknown> = {},
  ) {
    super(message);
    this.name = 'GatewayError';
  }
}

/** The agent closed the dialog that asked for a fresh second factor: the privileged action was not run. */
export class VerificationCancelled extends Error {
  constructor() {
    super('Nothing was changed: the second factor was not verified.');
    this.name = 'VerificationCancelled';
  }
}

const printed = new WeakMap<object, string>();

/**
 * Sends one of the codegen-typed documents (src/client/generated) to /graphql with the session's bearer token,
 * and answers its data or throws the first error as a GatewayError.
 */
export async function call<TData, TVariables>(document: TypedDocumentNode<TData, TVariables>, variables: TVariables): Promise<TData> {
  let query = printed.get(document);
  if (!query) printed.set(document, (query = print(document)));

  const token = session.bearer;
  let response: Response;
  try {
    response = await fetch('/graphql', {
      method: 'POST',
      headers: {
        // JSON (and the explicit preflight header) get past Apollo's CSRF prevention.
        'content-type': 'application/json',
        'apollo-require-preflight': 'true',
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
  } catch {
    throw new GatewayError('NETWORK', 'The gateway did not answer. Check your connection and try again.');
  }

  let body: { data?: TData | null; errors?: Array<{ message: string; extensions?: Record<string, unknown> }> };
  try {
    body = await response.json();
  } catch {
    throw new GatewayError('NETWORK', `The gateway answered ${response.status} without a GraphQL response.`);
  }
  const [first] = body.errors ?? [];
  if (first) {
    const extensions = first.extensions ?? {};
    throw new GatewayError(typeof extensions.code === 'string' ? extensions.code : 'INTERNAL_SERVER_ERROR', first.message, extensions);
  }
  if (!body.data) throw new GatewayError('INTERNAL_SERVER_ERROR', 'The gateway answered without data.');
  return body.data;
}

export function isGatewayError(error: unknown, ...codes: string[]): error is GatewayError {
  return error instanceof GatewayError && (codes.length === 0 || codes.includes(error.code));
}
