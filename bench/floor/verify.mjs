// The verification floor: verify an ES256 JWT with jose and do one indexed read — the least a
// Bearer check can do. /auth/verify and introspection are measured as a share of this.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { SignJWT, generateKeyPair, jwtVerify } from 'jose';

const db = new Database(process.env.FLOOR_DB, { readonly: true });
const byId = db.prepare('SELECT id, enabled, secret_generation FROM clients WHERE id = ?');
const { privateKey, publicKey } = await generateKeyPair('ES256');
const app = Fastify({ logger: false });

// The load generator asks for a token once, then presents it on every request.
app.get('/token', async (req) => {
  const id = String(req.query.client_id);
  return {
    token: await new SignJWT({ client_id: id, sgen: 1 })
      .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt' })
      .setIssuer('http://floor')
      .setSubject(id)
      .setIssuedAt()
      .setExpirationTime('1h')
      .sign(privateKey),
  };
});

app.get('/verify', async (req, reply) => {
  const auth = req.headers.authorization ?? '';
  try {
    const { payload } = await jwtVerify(auth.slice(7), publicKey, { algorithms: ['ES256'], issuer: 'http://floor', typ: 'at+jwt' });
    const row = byId.get(payload.client_id);
    if (!row || row.enabled !== 1) throw new Error('gone');
    return reply.header('x-client-id', row.id).send();
  } catch {
    return reply.code(401).send({ code: 'INVALID_TOKEN' });
  }
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
