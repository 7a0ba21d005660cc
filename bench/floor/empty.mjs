// An empty Fastify server: no work at all, only HTTP. It is no floor for any door; it shows what
// latency the machine gives a server that does nothing at the same 32 connections.
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/token', async () => ({ access_token: 'x'.repeat(500), token_type: 'Bearer', expires_in: 3600 }));
await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
