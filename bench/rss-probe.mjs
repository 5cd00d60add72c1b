// Preloaded with --import by bench/run.mjs: reports the process's peak RSS (KiB) and CPU time (user + system,
// ms), workers included, at exit. CPU time is the figure that survives a busy machine; wall time is the target.
import { writeSync } from 'node:fs';

process.on('exit', () => {
  const u = process.resourceUsage();
  writeSync(2, `\nBENCH_MAXRSS_KB=${u.maxRSS}\nBENCH_CPU_MS=${Math.round((u.userCPUTime + u.systemCPUTime) / 1000)}\n`);
});
