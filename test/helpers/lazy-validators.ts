/**
 * Preloaded into every test process (`--import` in package.json's test:unit) and, through
 * NODE_OPTIONS, into the Node processes they start (`samsa`, Connect workers, demos, fixtures):
 * @platformatic/kafka compiles its ~60 option schemas with Ajv when it is imported, about 0.3 s of
 * CPU in every process that loads it (of ~0.5 s for the whole package), and calls those validators
 * only for clients created with `strict: true`. Here Ajv's `compile`, when called from
 * @platformatic/kafka's client modules, returns a validator that compiles its schema on its first
 * call, then behaves as the compiled one (`errors` included). The schemas are the package's own,
 * fixed ones, so nothing a test observes changes but the CPU; every other `compile` (Samsa's schema
 * registry, user schemas) is untouched. If the package stops loading Ajv this way, this is a no-op.
 *
 * Every Node process the tests start runs TypeScript (Node 22.18+), so it can load this file too.
 */
import module, { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

type Validate = ((this: unknown, ...args: unknown[]) => unknown) & { errors?: unknown };
type Compile = (this: unknown, schema: unknown, meta?: boolean) => Validate;

const KAFKA_ENTRY = /[/\\]@platformatic[/\\]kafka[/\\]dist[/\\]index\.js$/;
const KAFKA_CLIENTS = /[/\\]@platformatic[/\\]kafka[/\\]dist[/\\]clients[/\\]/;

/** Patches the Ajv that @platformatic/kafka resolves (its utils.js: `ajv/dist/2020.js`). */
function install(kafkaEntry: string): void {
  let ajvCore: { prototype: { compile: Compile } };
  try {
    const { Ajv2020 } = createRequire(kafkaEntry)('ajv/dist/2020.js') as { Ajv2020: { prototype: object } };
    ajvCore = Object.getPrototypeOf(Ajv2020.prototype).constructor;
  } catch {
    return;
  }
  const compile = ajvCore.prototype.compile;
  if (typeof compile !== 'function' || (compile as { lazy?: boolean }).lazy) return;
  const lazyCompile = function (this: unknown, schema: unknown, meta?: boolean): Validate {
    if (!KAFKA_CLIENTS.test(new Error().stack ?? '')) return compile.call(this, schema, meta);
    const ajv = this;
    let compiled: Validate | undefined;
    const validate: Validate = function (this: unknown, ...args: unknown[]) {
      compiled ??= compile.call(ajv, schema, meta);
      const valid = compiled.apply(this, args);
      validate.errors = compiled.errors;
      return valid;
    };
    return validate;
  };
  Object.assign(lazyCompile, { lazy: true });
  ajvCore.prototype.compile = lazyCompile;
}

// Ajv is loaded (and patched) only once something resolves @platformatic/kafka, before its modules
// run: a process that never loads the package (a broker alone) does not load Ajv for nothing.
let installed = false;
module.registerHooks?.({
  resolve(specifier, context, nextResolve) {
    const resolved = nextResolve(specifier, context);
    if (!installed && KAFKA_ENTRY.test(resolved.url)) {
      installed = true;
      install(fileURLToPath(resolved.url));
    }
    return resolved;
  },
});

const preload = fileURLToPath(import.meta.url);
const option = `--import ${JSON.stringify(preload)}`;
if (!(process.env.NODE_OPTIONS ?? '').includes(preload)) {
  process.env.NODE_OPTIONS = `${process.env.NODE_OPTIONS ?? ''} ${option}`.trim();
}
