#!/usr/bin/env node
// The `samsa` command. Node runs the TypeScript sources directly (type stripping, Node 22.18+ / 24).
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 18)) {
  console.error(
    `samsa needs Node.js 22.18 or newer (found ${process.versions.node}). Run it through npm scripts or npx in this package, which use the bundled Node 24.`,
  );
  process.exit(1);
}
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
