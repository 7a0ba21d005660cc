import cluster from 'node:cluster';
import { pathToFileURL } from 'node:url';
import { ConfigError, describeDatabase, issuers, loadConfig, startupFailureText, type Config } from './config.js';
import type { Lifecycle } from './http/ops/index.js';
import { clusterMetricsGatherer, serveClusterMetrics } from './infra/cluster-metrics.js';
import { workerExecArgv } from './infra/heap.js';
import { openServices } from './services.js';
import { bootstrapFirstClient } from './usecases/bootstrap.js';
import { firstAdminLink } from './usecases/operators.js';

const PURGE_INTERVAL_MS = 60_000;
const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * First-start work that must happen once, not once per worker: migrations and signing keys
 * (both inside openServices), the first test client, whose secret is printed here, and a
 * one-time link for the first panel admin while there is no operator.
 */
async function prepare(config: Config): Promise<void> {
  const services = await openServices(config);
  try {
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
    const setup = await firstAdminLink(services.deps);
    if (setup) {
      // Likewise once, to the terminal: whoever holds this link becomes the first admin.
      process.stdout.write(
        [
          '',
          'No panel operator exists yet. Set up the first admin (once, before it expires) at:',
          `  ${setup.link}`,
          `  valid until ${new Date(setup.expiresAt).toISOString()}; or create one with: npx tollgate users create ` +
            `--email … --role admin`,
          '',
        ].join('\n') + '\n',
      );
    }
  } finally {
    await services.close();
  }
}

/** Wires the services to the HTTP app and listens; returns a function that shuts it down. */
export async function startServer(config: Config): Promise<() => Promise<void>> {
  // Loaded here, not at the top: a primary that only forks workers never serves, and without the
  // HTTP stack, GraphQL schema and panel in its heap it holds less than half of a worker's memory
  // (77 MiB against 162-174 MiB after a bench run).
  const [{ buildApp }, { trackConnections }, { Metrics }, { metricsApp }, { loggerOptions }] = await Promise.all([
    import('./http/app.js'),
    import('./http/graceful.js'),
    import('./infra/metrics.js'),
    import('./http/ops/index.js'),
    import('./http/logging.js'),
  ]);
  const metrics = new Metrics();
  // OpenTelemetry only when asked for: unset, not one of its modules is loaded.
  const telemetry = config.otel && (await import('./infra/telemetry.js')).startTelemetry(config.otel, metrics);
  const timing = telemetry && (await import('./infra/store-timing.js'));
  // Workers find the database migrated: the primary's prepare() did it before forking them.
  const services = await openServices(config, {
    onLock: (kind) => metrics.lockouts.inc({ kind }),
    checkpointInBackground: true,
    ...(cluster.isWorker ? { migrate: false } : {}),
    ...(timing ? { wrapStore: timing.timedStore } : {}),
  });
  const lifecycle: Lifecycle = { shuttingDown: false };
  const app = buildApp(services, config, {
    logger: loggerOptions(config.logLevel, config.logFormat),
    logRequests: config.logRequests,
    lifecycle,
    metrics,
    ...(telemetry ? { telemetry } : {}),
    // A worker's /metrics answers for every worker, not only itself.
    ...(cluster.isWorker ? { gatherMetrics: clusterMetricsGatherer(metrics) } : {}),
  });
  if (cluster.isPrimary) {
    app.log.info(
      { masterKey: services.masterKeyOrigin, database: describeDatabase(config) },
      'signing keys are encrypted at rest',
    );
    // The issuers tokens and discovery name: a verifier must be given exactly these.
    const { live, test } = issuers(config);
    app.log.info({ issuer: live, testIssuer: test }, `issuers in use: ${live} (live), ${test} (test mode)`);
    for (const warning of config.warnings) app.log.warn(warning);
  }

  // Housekeeping off the request path: expired refresh tokens, revocations, lockout counters and
  // idempotency keys (whose sealed answers hold client secrets, so they should not outlive 24 h).
  const purge = setInterval(() => {
    services.store
      .purgeExpired(Date.now(), {
        lockout: config.lockout,
        auditRetentionDays: config.auditRetentionDays,
        usageRetentionDays: config.usage.retentionDays,
      })
      .catch((err: unknown) => app.log.warn({ err }, 'purge failed'));
  }, PURGE_INTERVAL_MS);
  purge.unref();
  // Usage counts go to the store at most once a minute; a failed write keeps them for the next.
  const flushUsage = () =>
    services.usage.flush().catch((err: unknown) => app.log.warn({ err }, 'usage flush failed; counts kept'));
  const usageFlush = setInterval(flushUsage, config.usage.flushSeconds * 1000);
  usageFlush.unref();

  const drainer = trackConnections(app.server);
  app.addHook('onSend', (_req, reply, payload, done) => {
    if (drainer.draining) reply.header('connection', 'close');
    done(null, payload);
  });
  // The metrics listener first: once the API says it is listening, everything it serves is up.
  const metricsListener =
    config.metricsPort === undefined
      ? undefined
      : metricsApp({ metrics, ...(cluster.isWorker ? { gatherMetrics: clusterMetricsGatherer(metrics) } : {}) });
  try {
    await metricsListener?.listen({ port: config.metricsPort, host: config.host });
    await app.listen({ port: config.port, host: config.host });
  } catch (e) {
    // A port in use or refused: close what was opened, so nothing holds the process (the CLI's
    // `serve` ends with the message instead of hanging with the database open).
    clearInterval(purge);
    clearInterval(usageFlush);
    await Promise.allSettled([app.close(), metricsListener?.close()]);
    await services.close();
    await telemetry?.shutdown();
    throw e;
  }
  let closing: Promise<void> | undefined;
  // Stop: turn not-ready, stop accepting, let every accepted request finish (see graceful.ts),
  // then close the database. Past the deadline, open sockets are cut so a stuck client cannot
  // hold the process.
  return () =>
    (closing ??= (async () => {
      lifecycle.shuttingDown = true;
      app.log.info({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown started: not ready, finishing accepted requests');
      clearInterval(purge);
      const started = Date.now();
      await drainer.drain(SHUTDOWN_DEADLINE_MS);
      await app.close();
      await metricsListener?.close();
      clearInterval(usageFlush);
      // The last counts, once every accepted request is answered.
      await flushUsage();
      await services.close();
      // Last: the spans of the requests just finished go out before the process ends.
      await telemetry?.shutdown();
      app.log.info({ tookMs: Date.now() - started }, 'shutdown complete');
    })());
}

/**
 * Runs Tollgate: one process, or with WORKERS > 1 a primary that prepares the database and then
 * forks workers sharing the port (node:cluster). SQLite in WAL mode with a busy timeout is safe
 * to share; every cross-process decision (lockout, rotation) is a write transaction.
 */
export async function runServer(config: Config): Promise<void> {
  if (cluster.isPrimary) await prepare(config);
  if (cluster.isPrimary && config.workers > 1) {
    let stopping = false;
    serveClusterMetrics();
    cluster.setupPrimary({ execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS) });
    for (let i = 0; i < config.workers; i++) cluster.fork();
    cluster.on('exit', (worker, code, signal) => {
      if (stopping) {
        if (Object.keys(cluster.workers ?? {}).length === 0) process.exit(0);
        return;
      }
      process.stderr.write(`tollgate: worker ${worker.process.pid} exited (${signal ?? code}); starting another\n`);
      cluster.fork();
    });
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => {
        stopping = true;
        for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
      });
    }
    return;
  }
  // Handlers first: a signal that comes while the server starts (it may already have said it is
  // listening) is honoured with the same graceful stop once it is up, never by the default kill.
  let stop: (() => Promise<void>) | undefined;
  let asked = false;
  const shutDown = () => void stop!().then(() => process.exit(0));
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      asked = true;
      if (stop) shutDown();
    });
  }
  stop = await startServer(config);
  if (asked) shutDown();
}

function main(): void {
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
  runServer(config).catch((e: unknown) => {
    const text = startupFailureText(e, config) ?? (e instanceof Error ? e.message : String(e));
    process.stderr.write(`tollgate: failed to start: ${text}\n`);
    process.exit(1);
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main();
