/**
 * The two pieces of undici mcprun still uses (the MCP HTTP transports; plain `http.*` has its own
 * client), loaded from their own files on first use: a run that sends no MCP-over-HTTP request
 * never parses undici (439 KB, a third of the worker bundle: bench/startup.mjs measures it).
 * The bundles leave `undici` external (scripts/build.mjs), so this require finds the package's
 * own dependency at run time.
 */
import { createRequire } from 'node:module';
import type { Client as UndiciClient, buildConnector as UndiciBuildConnector } from 'undici';

export type Client = UndiciClient;
export type Connector = UndiciBuildConnector.connector;
export type { Dispatcher } from 'undici';

interface UndiciParts {
  Client: typeof UndiciClient;
  buildConnector: typeof UndiciBuildConnector;
}

let parts: UndiciParts | undefined;

export function undici(): UndiciParts {
  if (!parts) {
    const require = createRequire(import.meta.url);
    parts = {
      Client: require('undici/lib/dispatcher/client.js') as typeof UndiciClient,
      buildConnector: require('undici/lib/core/connect.js') as typeof UndiciBuildConnector,
    };
  }
  return parts;
}
