// The issuance floor: the irreducible work of one client-credentials issuance and nothing else.
// Fastify, one prepared better-sqlite3 read, a SHA-256 compare in constant time, an ES256
// signature with node:crypto's one-shot `sign` (the fastest ES256 signature Node offers), a JSON
// reply. Every issuing door is measured as a share of this.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, timingSafeEqual } from 'node:crypto';
import { serve } from '../cluster.mjs';

serve(async () => {
  const db = new Database(process.env.FLOOR_DB, { readonly: true });
  const byId = db.prepare('SELECT id, secret_hash, scopes FROM clients WHERE id = ?');
  const key = process.env.FLOOR_JWK
    ? createPrivateKey({ key: JSON.parse(process.env.FLOOR_JWK), format: 'jwk' })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const header = b64({ alg: 'ES256', typ: 'at+jwt', kid: 'floor' });
  const signJwt = (claims) => {
    const input = `${header}.${b64(claims)}`;
    return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
  };

  const app = Fastify({ logger: false });
  app.post('/token', async (req, reply) => {
    const { client_id: id, client_secret: secret } = req.body ?? {};
    const row = typeof id === 'string' ? byId.get(id) : undefined;
    const digest = createHash('sha256').update(String(secret)).digest();
    const stored = row ? Buffer.from(row.secret_hash.slice(7), 'base64url') : randomBytes(32);
    if (!row || !timingSafeEqual(digest, stored)) return reply.code(401).send({ error: 'invalid_client' });
    const now = Math.floor(Date.now() / 1000);
    const token = signJwt({
      iss: 'http://floor',
      sub: id,
      aud: 'http://floor',
      client_id: id,
      iat: now,
      exp: now + 3600,
      jti: randomBytes(16).toString('base64url'),
      scope: row.scopes,
      sgen: 1,
    });
    return { access_token: token, token_type: 'Bearer', expires_in: 3600 };
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
});
