import { createFirstClient, type AdminDeps, type ClientWithSecret } from './clients/manage.js';

/**
 * First start: with no clients at all, one test-mode client is made so the README's `curl`
 * works straight away. Its secret is returned once, for the caller to print. Several instances
 * starting together on one empty database make one between them.
 */
export async function bootstrapFirstClient(deps: AdminDeps): Promise<ClientWithSecret | undefined> {
  if ((await deps.clients.count()) > 0) return undefined;
  return createFirstClient(deps, { name: 'First test client', mode: 'test', scopes: [] });
}
