import { pathToFileURL } from 'node:url';
import { ConfigError, loadConfig, type Config } from './config.js';
import { buildApp } from './http/app.js';
import { loggerOptions } from './http/logging.js';
import { openServices } from './services.js';
import { bootstrapFirstClient } from './usecases/bootstrap.js';

const PURGE_INTERVAL_MS = 60_000;

/** Wires the services to the HTTP app and listens; returns a function that shuts it down. */
export async function startServer(config: Config): Promise<() => Promise<void>> {
  const services = await openServices(config);
  const app = buildApp(services, config, { logger: loggerOptions(config.logLevel) });
  app.log.info({ masterKey: services.masterKeyOrigin, database: config.databasePath }, 'signing keys are encrypted at rest');

  const first = await bootstrapFirstClient(services.deps);
  if (first) {
    // Printed once, to the terminal, not through the logger: this is the only time it exists.
    process.stdout.write(
      [
        '',
        'No clients existed, so a test-mode client was created. Its secret is shown only now:',
        `  client_id:     ${first.client.id}`,
        `  client_secret: ${first.clientSecret}`,
        '',
      ].join('\n') + '\n',
    );
  }

  // Housekeeping off the request path: expired refresh tokens, revocations and lockout counters.
  const purge = setInterval(() => {
    const now = Date.now();
    void services.deps.tokenStore.purgeExpired(now).catch((err: unknown) => app.log.warn({ err }, 'token purge failed'));
    try {
      services.lockoutStore.purge(now, config.lockout);
    } catch (err) {
      app.log.warn({ err }, 'lockout purge failed');
    }
  }, PURGE_INTERVAL_MS);
  purge.unref();

  await app.listen({ port: config.port, host: config.host });
  let closing: Promise<void> | undefined;
  return () =>
    (closing ??= (async () => {
      clearInterval(purge);
      await app.close();
      services.close();
    })());
}

async function main(): Promise<void> {
  let config: Config;
  try {
    config = loadConfig();
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`tollgate: configuration error: ${e.message}\n`);
      process.exit(1);
    }
    throw e;
  }
  const stop = await startServer(config);
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      void stop().then(() => process.exit(0));
    });
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`tollgate: failed to start: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
