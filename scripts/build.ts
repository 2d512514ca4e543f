/**
 * Compiles src/ to dist/ (JavaScript + declarations), bundles the web console's UI
 * (src/console/ui, Vite + Preact) into dist/console/ui, and stamps the build. The `samsa` command runs
 * dist/ when it is at least as new as every source file — Node then skips type stripping, which
 * saves startup time and about 30 MB of memory — and falls back to the TypeScript sources otherwise.
 */
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
rmSync(join(root, 'dist'), { recursive: true, force: true });
execFileSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')],
  {
    stdio: 'inherit',
  },
);
// The console UI: static files the console's server serves; shipped prebuilt in the package.
const { build } = await import('vite');
const { default: preact } = await import('@preact/preset-vite');
await build({
  configFile: false,
  root: join(root, 'src/console/ui'),
  base: './',
  logLevel: 'warn',
  plugins: [preact({ prerender: { enabled: false } })],
  build: { outDir: join(root, 'dist/console/ui'), emptyOutDir: true, reportCompressedSize: false },
});
writeFileSync(join(root, 'dist/.build-stamp'), `${new Date().toISOString()}\n`);
console.log('built dist/');
