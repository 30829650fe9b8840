// Preloaded into every supervised child (`node --import orphan-guard.js …`): when the supervisor dies without
// stopping it (SIGKILL, a crash), the child is re-parented; it then stops itself with SIGTERM, so it still
// deregisters and closes cleanly instead of serving on as an orphan nobody will stop.
const CHECK_EVERY_MS = 500;
const parent = process.ppid;

setInterval(() => {
  if (process.ppid !== parent) {
    process.kill(process.pid, 'SIGTERM');
  }
}, CHECK_EVERY_MS).unref();
