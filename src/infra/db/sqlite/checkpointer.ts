import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';

/** How often the thread copies the WAL into the database file. */
export const CHECKPOINT_INTERVAL_MS = 100;

/**
 * WAL pages past which the thread also waits for a moment without writers (a RESTART
 * checkpoint), so that the next write starts the WAL over from its beginning. PASSIVE
 * checkpoints alone leave the WAL growing under steady writes: a write commits while nearly
 * every one of them runs, and the WAL only starts over when one finishes with nothing new behind
 * it (measured: 109 MiB of WAL after 24 s of oauth2 load on two workers; 20 MiB with this).
 * RESTART rather than TRUNCATE: a WAL cut to nothing and grown again cost a tenth of oauth2's
 * throughput.
 */
export const RESTART_PAGES = 4096;

/** How long a RESTART checkpoint waits for writers and readers before it tries again next turn. */
export const RESTART_WAIT_MS = 200;

/** SQLite's own default, restored on the serving connection if the thread ever stops on its own. */
export const AUTOCHECKPOINT_PAGES = 1000;

/**
 * The thread's whole program: its own connection, a PASSIVE checkpoint every interval (it never
 * waits for readers or writers, and one already running elsewhere just makes it skip a turn),
 * a RESTART one while the WAL is past `RESTART_PAGES`, and a clean close when asked.
 * A RESTART that finished leaves the WAL as long as it was until the next write starts it over,
 * so the thread remembers that WAL's length and does not RESTART it again while nothing is
 * written (it did, every turn, for as long as the server stayed idle); one that found writers
 * or readers busy (`busy = 1`) is tried again next turn.
 * Anything else that goes wrong ends the thread with the error.
 */
const PROGRAM = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { fileMustExist: true });
db.pragma('busy_timeout = ' + workerData.restartWaitMs);
const passive = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const restart = db.prepare('PRAGMA wal_checkpoint(RESTART)');
let restartedAt = -1;
const timer = setInterval(() => {
  try {
    const { log } = passive.get();
    if (log < workerData.restartPages) restartedAt = -1;
    else if (log !== restartedAt) {
      const done = restart.get();
      if (done.busy === 0) {
        restartedAt = done.log;
        parentPort.postMessage('restarted');
      }
    }
  } catch (e) {
    if (!String(e && e.code).startsWith('SQLITE_BUSY')) throw e;
  }
}, workerData.intervalMs);
parentPort.once('message', () => {
  clearInterval(timer);
  db.close();
  parentPort.close();
});
`;

const driver = createRequire(import.meta.url).resolve('better-sqlite3');

/**
 * Moves WAL checkpoints off the event loop. By default the commit that takes the WAL past 1,000
 * pages copies them all into the database file, reads and writes and an fsync, on the thread
 * that serves requests; every oauth2 issuance writes a refresh row, so under load that is several
 * times a second, in each worker. Here the serving connection never checkpoints
 * (`wal_autocheckpoint = 0`) and a worker thread with its own connection does it every 100 ms;
 * a writer waits only while a RESTART checkpoint finishes the few pages left.
 * If that thread stops on its own, the serving connection checkpoints for itself again, so the
 * WAL stays bounded whatever happens.
 */
export class BackgroundCheckpointer {
  /** The thread, for tests that need to see it stop. */
  readonly worker: Worker;
  /** RESTART checkpoints run so far. */
  restarts = 0;
  private stopping = false;

  constructor(sqlite: Database.Database, file: string, onFailure: (err: unknown) => void) {
    sqlite.pragma('wal_autocheckpoint = 0');
    this.worker = new Worker(PROGRAM, {
      eval: true,
      workerData: {
        driver,
        file: resolve(file),
        intervalMs: CHECKPOINT_INTERVAL_MS,
        restartPages: RESTART_PAGES,
        restartWaitMs: RESTART_WAIT_MS,
      },
      // A connection and a timer: a small heap is plenty.
      resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 },
    });
    this.worker.unref();
    this.worker.on('message', () => this.restarts++);
    let failure: unknown;
    this.worker.on('error', (err) => (failure = err));
    this.worker.on('exit', (code) => {
      if (this.stopping || !sqlite.open) return;
      sqlite.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      onFailure(failure ?? new Error(`the checkpoint thread exited with code ${code}`));
    });
  }

  /**
   * Closes the thread's connection and waits for the thread to end. The thread is ref'd again
   * first: at shutdown it may be all that is left, and an unref'd thread would let the process
   * exit in the middle of the wait, before the database closes and the shutdown is logged.
   */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    const exited = new Promise<void>((done) => this.worker.once('exit', () => done()));
    if (this.worker.threadId === -1) return;
    this.worker.ref();
    this.worker.postMessage('stop');
    await exited;
  }
}
