/** The logging seam of the storage layer: pino satisfies it; tests pass a recorder or the no-op. */
export interface LogLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
}

export const noopLogger: LogLogger = {
  info() {},
  warn() {},
};
