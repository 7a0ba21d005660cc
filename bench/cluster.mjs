// Runs a bench server in one process, or in WORKERS processes under node:cluster sharing its port
// (the way each of them scales across cores), so every server can be compared at all cores too.
import cluster from 'node:cluster';

export function serve(start) {
  const workers = Number(process.env.WORKERS ?? 1);
  if (workers > 1 && cluster.isPrimary) {
    for (let i = 0; i < workers; i++) cluster.fork();
    process.on('SIGTERM', () => {
      for (const w of Object.values(cluster.workers)) w.process.kill('SIGTERM');
      process.exit(0);
    });
    return;
  }
  start().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
