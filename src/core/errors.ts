/** Base of every error the engine throws on purpose; `code` is stable and safe to match on. */
export class EngineError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** Bad configuration or command-line input, reported before any work starts. */
export class ConfigError extends EngineError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('CONFIG', message, options);
  }
}

/**
 * A parameter outside its allowed values (a calculator's window, period or tick size), thrown by
 * the `core/validate` helpers: `option` names the parameter and `value` is what was given.
 */
export class InvalidOptionError extends ConfigError {
  readonly option: string;
  readonly value: unknown;
  constructor(option: string, value: unknown, expected: string) {
    super(`${option} must be ${expected}, got ${quoted(value)}`);
    this.option = option;
    this.value = value;
  }
}

/** A value as a message quotes it: strings in double quotes, lists in brackets. */
function quoted(value: unknown): string {
  if (typeof value === 'string') return `"${value}"`;
  if (Array.isArray(value)) return `[${value.map(quoted).join(', ')}]`;
  return String(value);
}
