/**
 * The two pieces of undici mcprun uses, imported from their own files (see runtime/types/undici-deep.d.ts):
 * a worker then loads a fraction of undici, and start-up is measurably faster (bench/startup.mjs).
 */
import type { Client as UndiciClient, buildConnector as UndiciBuildConnector } from 'undici';
import ClientImpl from 'undici/lib/dispatcher/client.js';
import connectorFactory from 'undici/lib/core/connect.js';

export const Client: typeof UndiciClient = ClientImpl;
export type Client = UndiciClient;
export const buildConnector: typeof UndiciBuildConnector = connectorFactory;
export type Connector = UndiciBuildConnector.connector;
export type { Dispatcher } from 'undici';
