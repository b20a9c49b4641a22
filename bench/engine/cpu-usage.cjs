// Preloaded into the measured `oneproc check` process: reports its own CPU time on exit, so the
// benchmark can show CPU time beside wall time (wall time is inflated when the machine is shared).
process.on('exit', () => {
  const { user, system } = process.cpuUsage();
  process.stderr.write(`\ncpu-usage-us ${user + system}\n`);
});
