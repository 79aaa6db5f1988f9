/**
 * Preloaded (`--import`) into every child local mode starts: if local mode dies without stopping
 * the child (SIGKILL, a crash), the child is re-parented, sees it, and sends itself SIGTERM so it
 * shuts down the way it would on Ctrl-C. No orphans even when the parent had no chance to clean up.
 */
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.kill(process.pid, 'SIGTERM');
}, 500).unref();
