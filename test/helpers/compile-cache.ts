/**
 * Preloaded into every test process (`--import` in package.json's test:unit): turns on V8's code
 * cache on disk (the directory bin/samsa.js uses, os.tmpdir()/node-compile-cache), so each of the
 * ~190 test processes, and the Node processes they start (through NODE_COMPILE_CACHE, which Node
 * 22.1+ reads and older Nodes ignore), stops compiling the same TypeScript modules again: loading
 * the broker, the CLI and the Kafka client drops from ~1.2 s to ~0.8 s of CPU per process
 * (docs/testing.md). It changes nothing a test observes. Without a writable directory it is a no-op.
 */
import module from 'node:module';

const cache = module.enableCompileCache?.();
if (cache?.directory && process.env.NODE_COMPILE_CACHE === undefined) {
  process.env.NODE_COMPILE_CACHE = cache.directory;
}
