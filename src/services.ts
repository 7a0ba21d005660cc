import { issuers, type Config } from './config.js';
import type { Mode } from './domain/mode.js';
import type { TokenSettings } from './domain/token.js';
import { KeyRing } from './infra/keys/keyring.js';
import { loadMasterKey } from './infra/keys/master-key.js';
import { IDEMPOTENCY_PURPOSE, MasterKeySealer, TOTP_PURPOSE } from './infra/keys/sealer.js';
import { VerifiedCache } from './infra/keys/verified-cache.js';
import { JwtVerifier } from './infra/keys/verifier.js';
import { openStore, type StoreOptions } from './infra/store.js';
import { systemClock, systemRandom } from './infra/system.js';
import { LastUsedRecorder } from './usecases/last-used.js';
import { UsageCounter } from './usecases/usage.js';
import type { Clock, Random, Store } from './usecases/ports.js';
import type { Deps } from './usecases/deps.js';

/** The core's ports made real: what the server and the CLI both run on. */
export interface Services {
  deps: Deps;
  /** The storage ports, for the operations that are the store's own (ping, purge, backup). */
  store: Store;
  /** This process's usage counts, until the server flushes them (spec §11). */
  usage: UsageCounter;
  /** Where the master key came from, for the start-up log. */
  masterKeyOrigin: string;
  close(): Promise<void>;
}

export function tokenSettings(config: Config): TokenSettings {
  const issuer = (mode: Mode): string => issuers(config)[mode];
  return { issuer, audience: (mode) => config.tokenAudience ?? issuer(mode) };
}

export interface ServiceOptions extends StoreOptions {
  clock?: Clock;
  random?: Random;
  /** An already opened store (tests that look inside one); otherwise the configured one is opened. */
  store?: Store;
  /** Wraps the opened store's ports (tracing times them); the store itself still closes. */
  wrapStore?: (store: Store) => Store;
}

/**
 * The composition root: opens the configured store, loads the master key and the signing keys,
 * and hands every port to the use cases.
 */
export async function openServices(config: Config, opts: ServiceOptions = {}): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  const random = opts.random ?? systemRandom;
  const opened =
    opts.store ??
    (await openStore(config, {
      onLock: opts.onLock,
      migrate: opts.migrate,
      checkpointInBackground: opts.checkpointInBackground,
    }));
  const store = opts.wrapStore?.(opened) ?? opened;
  try {
    const master = loadMasterKey(config.masterKey, config.databasePath);
    const keys = new KeyRing(store.keys, master.key, config.jwtAlg, clock);
    await keys.init();
    const tokens = tokenSettings(config);
    const usage = new UsageCounter(store.usage);
    const deps: Deps = {
      clients: store.clients,
      apis: store.apis,
      tokenStore: store.tokens,
      verifier: new JwtVerifier(
        keys,
        tokens,
        clock,
        new VerifiedCache({ maxEntries: config.verifyCache.entries, maxBytes: config.verifyCache.bytes }),
      ),
      lockout: store.lockout,
      lockoutPolicy: config.lockout,
      clock,
      random,
      signer: keys,
      usage: new LastUsedRecorder(store.clients),
      meter: usage,
      quotas: store.quotas,
      usageStore: store.usage,
      tokens,
      audit: store.audit,
      idempotency: store.idempotency,
      sealer: new MasterKeySealer(master.key, IDEMPOTENCY_PURPOSE),
      keys,
      operators: store.operators,
      sessions: store.sessions,
      totpSealer: new MasterKeySealer(master.key, TOTP_PURPOSE),
      panel: {
        issuer: config.issuer,
        requireTotpForAdmins: config.panel.requireTotpForAdmins,
        session: { idleMinutes: config.panel.sessionIdleMinutes, absoluteHours: config.panel.sessionAbsoluteHours },
      },
    };
    return { deps, store, usage, masterKeyOrigin: master.origin, close: () => store.close() };
  } catch (e) {
    await opened.close();
    throw e;
  }
}

/** The configured store alone, for commands that need no keys (migrate, backup). */
export { openStore };

/** `tollgate db copy`: one store's every table into another, empty one. */
export { copyDatabase, type CopyReport } from './infra/db/copy.js';
