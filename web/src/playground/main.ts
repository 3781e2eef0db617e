// The GraphQL playground (GraphiQL), served by the gateway at GET /graphql from its own build: no request
// leaves the gateway's origin. Monaco's editor and language workers are bundled by Vite (setup-workers/vite).
import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './playground.css';
import { createGraphiQLFetcher } from '@graphiql/toolkit';
import { GraphiQL } from 'graphiql';
import { createElement } from 'react';
import { createRoot } from 'react-dom/client';
import { EXAMPLE_HEADERS, EXAMPLE_QUERY, EXAMPLE_VARIABLES } from './example';

// Same origin: the browser sends the console's session cookie (HttpOnly) by itself; an Authorization header
// from the headers editor takes precedence over it.
const fetcher = createGraphiQLFetcher({ url: '/graphql' });

createRoot(document.getElementById('graphiql')!).render(
  createElement(GraphiQL, {
    fetcher,
    initialQuery: EXAMPLE_QUERY,
    initialVariables: EXAMPLE_VARIABLES,
    initialHeaders: EXAMPLE_HEADERS,
    // Bearer tokens typed into the headers editor stay in this tab: never written to localStorage.
    shouldPersistHeaders: false,
    isHeadersEditorEnabled: true,
    defaultEditorToolsVisibility: 'variables',
  }),
);
