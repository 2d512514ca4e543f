/**
 * Preload (`node --import`) that appends the URL of every module the process loads, one a line, to
 * the file named by SAMSA_RECORD_MODULES: lets a test check what a process keeps out of memory.
 */
import { appendFileSync } from 'node:fs';
import module from 'node:module';

const out = process.env.SAMSA_RECORD_MODULES;
if (out) {
  module.registerHooks({
    load(url, context, nextLoad) {
      appendFileSync(out, `${url}\n`);
      return nextLoad(url, context);
    },
  });
}
