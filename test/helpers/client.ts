import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print } from 'graphql';

export interface GraphQLErrorBody {
  message: string;
  extensions?: Record<string, unknown> & { code?: string };
  path?: Array<string | number>;
}

export interface GraphQLResponse<T> {
  status: number;
  data?: T | null;
  errors?: GraphQLErrorBody[];
}

/** Calls the real HTTP endpoint with codegen-typed documents, as any client would. */
export class GraphQLClient {
  constructor(
    readonly url: string,
    public token?: string,
    /** Sent with every request (e.g. a User-Agent). */
    readonly headers: Record<string, string> = {},
  ) {}

  withToken(token: string): GraphQLClient {
    return new GraphQLClient(this.url, token, this.headers);
  }

  withHeaders(headers: Record<string, string>): GraphQLClient {
    return new GraphQLClient(this.url, this.token, { ...this.headers, ...headers });
  }

  async request<T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<GraphQLResponse<T>> {
    return this.raw({ query: print(document), variables });
  }

  /** Any body, for documents the typed operations cannot express (aliases, wrong types, batches). */
  async raw<T = Record<string, unknown>>(body: unknown, headers: Record<string, string> = {}): Promise<GraphQLResponse<T>> {
    const response = await fetch(`${this.url}/graphql`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        ...this.headers,
        ...headers,
      },
      body: JSON.stringify(body),
    });
    const json = (await response.json()) as Omit<GraphQLResponse<T>, 'status'>;
    return { status: response.status, ...json };
  }

  /** The data of a request that must succeed. */
  async ok<T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<T> {
    const result = await this.request(document, variables);
    if (result.errors?.length || !result.data) throw new Error(`expected success, got ${JSON.stringify(result.errors)}`);
    return result.data;
  }

  /** The first error of a request that must fail. */
  async fails<T, V>(document: TypedDocumentNode<T, V>, variables?: V): Promise<GraphQLErrorBody & { code?: string }> {
    const result = await this.request(document, variables);
    if (!result.errors?.length) throw new Error(`expected an error, got ${JSON.stringify(result.data)}`);
    return { ...result.errors[0], code: result.errors[0].extensions?.code };
  }
}
