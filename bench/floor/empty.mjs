// The ceiling: an empty Fastify server answering a GET with nothing to do. No door can beat it;
// /auth/verify and introspection are measured as a share of it.
import Fastify from 'fastify';
import { serve } from '../cluster.mjs';

serve(async () => {
  const app = Fastify({ logger: false });
  app.get('/', async (_req, reply) => reply.send());
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.on('SIGTERM', () => app.close().then(() => process.exit(0)));
});
