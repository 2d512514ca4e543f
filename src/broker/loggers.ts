/**
 * The broker's named loggers and their levels, changeable at runtime: the BROKER_LOGGER resource
 * of DescribeConfigs / IncrementalAlterConfigs (`kafka-configs.sh --entity-type broker-loggers`).
 * `root` is the broker's logger; each module logs through a pino child of it (`samsa.network`,
 * `samsa.log`, ...), whose level follows root's until set on its own and again after it is
 * deleted. A level change reaches the loggers already made from a module logger (per connection)
 * too. Levels use Kafka's (log4j) names.
 */
import type { Level, Logger } from 'pino';

export const ROOT_LOGGER = 'root';

/** The modules that log through their own logger (the rest log through root). */
export const MODULE_LOGGERS = [
  'samsa.network',
  'samsa.log',
  'samsa.coordinator.group',
  'samsa.coordinator.transaction',
] as const;

/** log4j level names Kafka accepts for a broker logger, and pino's level for each. */
export const LOG_LEVELS: Readonly<Record<string, Level>> = {
  FATAL: 'fatal',
  ERROR: 'error',
  WARN: 'warn',
  INFO: 'info',
  DEBUG: 'debug',
  TRACE: 'trace',
};

interface ModuleLogger {
  readonly logger: Logger;
  /** Set on its own (else it follows root). */
  explicit: boolean;
  readonly descendants: Set<WeakRef<Logger>>;
  pruneAt: number;
}

const PRUNE_AT = 1024;

export class BrokerLoggers {
  readonly root: Logger;
  private readonly modules = new Map<string, ModuleLogger>();

  constructor(root: Logger) {
    this.root = root;
    for (const name of MODULE_LOGGERS) this.get(name);
  }

  /** The logger of a module (made on first use). */
  get(name: string): Logger {
    const existing = this.modules.get(name);
    if (existing) return existing.logger;
    const logger = this.root.child({ logger: name });
    const mod: ModuleLogger = { logger, explicit: false, descendants: new Set(), pruneAt: PRUNE_AT };
    // Children made later (per connection) inherit this hook: their level follows the module's.
    logger.onChild = (child: Logger) => {
      mod.descendants.add(new WeakRef(child));
      // Closed connections' loggers are collected; drop their references now and then.
      if (mod.descendants.size >= mod.pruneAt) {
        for (const ref of mod.descendants) if (!ref.deref()) mod.descendants.delete(ref);
        mod.pruneAt = Math.max(PRUNE_AT, 2 * mod.descendants.size);
      }
    };
    this.modules.set(name, mod);
    return logger;
  }

  has(name: string): boolean {
    return name === ROOT_LOGGER || this.modules.has(name);
  }

  /** Every logger with its level (Kafka's name), root first. */
  list(): { name: string; level: string }[] {
    return [ROOT_LOGGER, ...[...this.modules.keys()].sort()].map((name) => ({
      name,
      level: this.level(name),
    }));
  }

  level(name: string): string {
    const logger = name === ROOT_LOGGER ? this.root : this.modules.get(name)?.logger;
    const level = logger?.level ?? 'info';
    return level === 'silent' ? 'OFF' : level.toUpperCase();
  }

  /** Sets a logger's level (a LOG_LEVELS name); root's reaches every module not set on its own. */
  set(name: string, level: string): void {
    const pinoLevel = LOG_LEVELS[level.toUpperCase()];
    if (!pinoLevel) throw new Error(`unknown log level ${level}`);
    if (name === ROOT_LOGGER) {
      this.root.level = pinoLevel;
      for (const mod of this.modules.values()) if (!mod.explicit) apply(mod, pinoLevel);
      return;
    }
    const mod = this.modules.get(name);
    if (!mod) throw new Error(`unknown logger ${name}`);
    mod.explicit = true;
    apply(mod, pinoLevel);
  }

  /** Removes a module's own level: it follows root again. */
  reset(name: string): void {
    const mod = this.modules.get(name);
    if (!mod) return;
    mod.explicit = false;
    apply(mod, this.root.level);
  }
}

function apply(mod: ModuleLogger, level: string): void {
  mod.logger.level = level;
  for (const ref of mod.descendants) {
    const child = ref.deref();
    if (child) child.level = level;
    else mod.descendants.delete(ref);
  }
}
