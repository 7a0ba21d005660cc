// The verification floor: verify an ES256 JWT and do one indexed read — the least a Bearer check
// can do. /auth/verify and introspection are measured as a share of this. FLOOR_VERIFIER picks
// the verification:
//   jose (default) — jose's jwtVerify (WebCrypto), as the benchmark issue defines the floor;
//   node           — node:crypto's one-shot verify of the ES256 signature (R || S) and the claim
//                    checks jose made here (alg, typ, iss, exp), the way Tollgate itself verifies,
//                    so that the door's own overhead shows without the verifier's difference in it.
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { KeyObject, verify } from 'node:crypto';
import { SignJWT, generateKeyPair, jwtVerify } from 'jose';

const db = new Database(process.env.FLOOR_DB, { readonly: true });
const byId = db.prepare('SELECT id, enabled, secret_generation FROM clients WHERE id = ?');
const { privateKey, publicKey } = await generateKeyPair('ES256');
const app = Fastify({ logger: false });

const joseVerify = async (token) =>
  (await jwtVerify(token, publicKey, { algorithms: ['ES256'], issuer: 'http://floor', typ: 'at+jwt' })).payload;

const keyObject = KeyObject.from(publicKey);
const json = (part) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
const nodeVerify = async (token) => {
  const [h, p, s, extra] = token.split('.');
  if (!h || !p || !s || extra !== undefined) throw new Error('malformed');
  const header = json(h);
  // jose's typ comparison: case-insensitive, `application/` optional.
  if (header.alg !== 'ES256' || typeof header.typ !== 'string' || !/^(application\/)?at\+jwt$/i.test(header.typ)) throw new Error('header');
  const signature = Buffer.from(s, 'base64url');
  const input = Buffer.from(token.slice(0, h.length + 1 + p.length));
  if (signature.length !== 64 || !verify('sha256', input, { key: keyObject, dsaEncoding: 'ieee-p1363' }, signature)) throw new Error('signature');
  const payload = json(p);
  if (payload === null || typeof payload !== 'object' || payload.iss !== 'http://floor') throw new Error('claims');
  if (payload.exp !== undefined && (typeof payload.exp !== 'number' || payload.exp <= Math.floor(Date.now() / 1000))) throw new Error('expired');
  return payload;
};
const verifyJwt = process.env.FLOOR_VERIFIER === 'node' ? nodeVerify : joseVerify;

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
    const payload = await verifyJwt(auth.slice(7));
    const row = byId.get(payload.client_id);
    if (!row || row.enabled !== 1) throw new Error('gone');
    return reply.header('x-client-id', row.id).send();
  } catch {
    return reply.code(401).send({ code: 'INVALID_TOKEN' });
  }
});

await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
