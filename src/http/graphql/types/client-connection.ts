import { builder } from '../builder.js';
import { Client } from './client.js';

/** A Relay connection over clients, paged forward by `first` / `after`. */
export const ClientConnection = builder.connectionObject({ type: Client, name: 'ClientConnection' }, { name: 'ClientEdge' });
