/**
 * The child side of child-run.ts: imports a module, awaits one exported function with the JSON
 * arguments and prints `{ value, cpuSeconds }` (its result and the process's CPU time) on stdout.
 * Usage: node bench/lib/child-entry.ts <module URL> <export> <JSON array of arguments>
 */
const [moduleUrl, exportName, json] = process.argv.slice(2);
if (!moduleUrl || !exportName || !json) {
  console.error('usage: child-entry.ts <module URL> <export> <JSON arguments>');
  process.exit(2);
}
const mod = (await import(moduleUrl)) as Record<string, (...args: unknown[]) => Promise<unknown>>;
const fn = mod[exportName];
if (typeof fn !== 'function') {
  console.error(`${moduleUrl} has no function ${exportName}`);
  process.exit(2);
}
const value = await fn(...(JSON.parse(json) as unknown[]));
const cpu = process.cpuUsage();
process.stdout.write(JSON.stringify({ value, cpuSeconds: (cpu.user + cpu.system) / 1e6 }));
process.exit(0);
