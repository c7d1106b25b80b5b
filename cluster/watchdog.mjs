// Last line of defence against orphans. Every cluster child exits when its IPC channel to the
// supervisor closes, but a child frozen with SIGSTOP cannot run that handler. This tiny process
// (never frozen) learns the children's pids and SIGKILLs them all when the supervisor goes
// away, however it went (SIGKILL included): SIGKILL also ends a stopped process.
/** @type {number[]} */
let pids = [];
process.on('message', (/** @type {any} */ msg) => {
  if (msg && Array.isArray(msg.pids))
    pids = msg.pids.filter((pid) => Number.isInteger(pid) && pid > 0);
});
process.on('disconnect', () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  process.exit(0);
});
process.send?.({ type: 'ready' });
