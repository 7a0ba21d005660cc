// The peer: node-oidc-provider (a devDependency used only here), configured for what Tollgate
// does, the client credentials grant with ES256-signed JWT access tokens (RFC 9068), its client
// held in the provider's own configuration. WORKERS > 1 runs it under node:cluster
// (bench/cluster.mjs).
import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';
import { serve } from '../cluster.mjs';

serve(async () => {
  // The signing key: every worker must sign with the same one, so it comes from the environment
  // when the bench hands one in (it generates it once), else it is made here.
  const jwk = process.env.PEER_JWK
    ? JSON.parse(process.env.PEER_JWK)
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const port = Number(process.env.PORT);
  const issuer = `http://127.0.0.1:${port}`;
  // The resource server: the bench's API (bench/lib/seed.mjs), whose identifier Tollgate puts in aud.
  const resource = process.env.PEER_RESOURCE ?? 'https://bench.example.com/api';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: process.env.PEER_CLIENT_ID,
        client_secret: process.env.PEER_CLIENT_SECRET,
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
        token_endpoint_auth_method: 'client_secret_post',
        id_token_signed_response_alg: 'ES256',
        scope: 'read write',
      },
    ],
    jwks: { keys: [{ ...jwk, alg: 'ES256', use: 'sig', kid: 'peer' }] },
    scopes: ['read', 'write'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // A JWT access token (RFC 9068) for one resource server, signed ES256: the one a request
      // names with RFC 8707's `resource=`, or the default one when it names none. Any other
      // resource is refused (invalid_target), as a real deployment would refuse an unknown API.
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget();
          return {
            scope: 'read write',
            audience: resource,
            accessTokenTTL: 3600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          };
        },
      },
    },
    ttl: { ClientCredentials: 3600 },
    cookies: { keys: ['bench-cookie-key-0123456789abcdef'] },
  });
  provider.proxy = false;
  const server = createServer(provider.callback());
  server.keepAliveTimeout = 65_000;
  server.listen(port, '127.0.0.1');
  process.on('SIGTERM', () => server.close(() => process.exit(0)));
});
