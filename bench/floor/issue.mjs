// The issuance floor: only the irreducible work of one token — read the client by id with a
// prepared better-sqlite3 statement, hash and compare the secret, sign an ES256 JWT with jose,
// reply JSON. Every door is measured as a share of this.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { SignJWT, generateKeyPair } from 'jose';

const db = new Database(process.env.FLOOR_DB, { readonly: true });
const byId = db.prepare('SELECT id, secret_hash, scopes FROM clients WHERE id = ?');
const { privateKey } = await generateKeyPair('ES256');
const app = Fastify({ logger: false });

app.post('/token', async (req, reply) => {
  const { client_id: id, client_secret: secret } = req.body ?? {};
  const row = typeof id === 'string' ? byId.get(id) : undefined;
  const digest = createHash('sha256').update(String(secret)).digest();
  const stored = row ? Buffer.from(row.secret_hash.slice(7), 'base64url') : randomBytes(32);
  if (!row || !timingSafeEqual(digest, stored)) return reply.code(401).send({ error: 'invalid_client' });
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ client_id: id, scope: row.scopes, jti: randomBytes(16).toString('base64url') })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: 'floor' })
    .setIssuer('http://floor')
    .setSubject(id)
    .setIssuedAt(now)
    .setExpirationTime(now + 3600)
    .sign(privateKey);
  return { access_token: token, token_type: 'Bearer', expires_in: 3600 };
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
