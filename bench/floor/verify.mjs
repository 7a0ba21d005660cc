// The verification floor: the least a Bearer check can do. Fastify, an ES256 verification with
// node:crypto's one-shot `verify` and the claim checks (alg, typ, iss, exp), one indexed read of
// the client, an empty 200 with a header. /auth/verify and introspection are measured against it.
// It caches nothing: each request verifies its signature.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { createPrivateKey, createPublicKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { serve } from '../cluster.mjs';

serve(async () => {
  const db = new Database(process.env.FLOOR_DB, { readonly: true });
  const byId = db.prepare('SELECT id, enabled, secret_generation FROM clients WHERE id = ?');
  // Every worker must verify what any of them signed: the key comes from the bench when it runs several.
  const privateKey = process.env.FLOOR_JWK
    ? createPrivateKey({ key: JSON.parse(process.env.FLOOR_JWK), format: 'jwk' })
    : generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const publicKey = createPublicKey(privateKey);
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

  const verifyJwt = (token) => {
    const [h, p, s, extra] = token.split('.');
    if (!h || !p || !s || extra !== undefined) throw new Error('malformed');
    const header = json(h);
    if (header.alg !== 'ES256' || header.typ !== 'at+jwt') throw new Error('header');
    const signature = Buffer.from(s, 'base64url');
    const input = Buffer.from(token.slice(0, h.length + 1 + p.length));
    if (signature.length !== 64 || !verify('sha256', input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, signature))
      throw new Error('signature');
    const payload = json(p);
    if (payload === null || typeof payload !== 'object' || payload.iss !== 'http://floor') throw new Error('claims');
    if (typeof payload.exp !== 'number' || payload.exp <= Math.floor(Date.now() / 1000)) throw new Error('expired');
    return payload;
  };

  const app = Fastify({ logger: false });
  // The load generator asks for a token once, then presents it on every request.
  app.get('/token', async (req) => {
    const id = String(req.query.client_id);
    const now = Math.floor(Date.now() / 1000);
    const input = `${b64({ alg: 'ES256', typ: 'at+jwt' })}.${b64({ iss: 'http://floor', sub: id, client_id: id, iat: now, exp: now + 3600, sgen: 1 })}`;
    return {
      token: `${input}.${sign('sha256', Buffer.from(input), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`,
    };
  });
  app.get('/verify', async (req, reply) => {
    const auth = req.headers.authorization ?? '';
    try {
      const payload = verifyJwt(auth.slice(7));
      const row = byId.get(payload.client_id);
      if (row?.enabled !== 1) throw new Error('gone');
      return reply.header('x-client-id', row.id).send();
    } catch {
      return reply.code(401).send({ code: 'INVALID_TOKEN' });
    }
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
});
