// The issuance floor: only the irreducible work of one token — read the client by id with a
// prepared better-sqlite3 statement, hash and compare the secret, sign an ES256 JWT, reply JSON.
// Every issuing door is measured as a share of this. FLOOR_SIGNER picks the signature:
//   jose (default) — jose's SignJWT, as the benchmark issue defines the floor;
//   node           — node:crypto's one-shot sign, the way Tollgate itself signs, so that the
//                    door's own overhead shows without the signer's difference in it.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { createHash, createPrivateKey, randomBytes, sign, timingSafeEqual } from 'node:crypto';
import { SignJWT, exportJWK, generateKeyPair } from 'jose';

const db = new Database(process.env.FLOOR_DB, { readonly: true });
const byId = db.prepare('SELECT id, secret_hash, scopes FROM clients WHERE id = ?');
const { privateKey } = await generateKeyPair('ES256', { extractable: true });
const header = { alg: 'ES256', typ: 'at+jwt', kid: 'floor' };

const joseSign = (claims) => new SignJWT(claims).setProtectedHeader(header).sign(privateKey);
const keyObject = createPrivateKey({ key: await exportJWK(privateKey), format: 'jwk' });
const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
const nodeSign = (claims) => {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: keyObject, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
};
const signJwt = process.env.FLOOR_SIGNER === 'node' ? nodeSign : joseSign;

const app = Fastify({ logger: false });

app.post('/token', async (req, reply) => {
  const { client_id: id, client_secret: secret } = req.body ?? {};
  const row = typeof id === 'string' ? byId.get(id) : undefined;
  const digest = createHash('sha256').update(String(secret)).digest();
  const stored = row ? Buffer.from(row.secret_hash.slice(7), 'base64url') : randomBytes(32);
  if (!row || !timingSafeEqual(digest, stored)) return reply.code(401).send({ error: 'invalid_client' });
  const now = Math.floor(Date.now() / 1000);
  const token = await signJwt({
    iss: 'http://floor',
    sub: id,
    client_id: id,
    iat: now,
    exp: now + 3600,
    jti: randomBytes(16).toString('base64url'),
    scope: row.scopes,
  });
  return { access_token: token, token_type: 'Bearer', expires_in: 3600 };
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
