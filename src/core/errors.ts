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
 * A parameter given to a constructor or function is outside its domain (`core/validate.ts`
 * checks). A kind of `ConfigError`, so start-up code that reports bad configuration reports these
 * too; `option` names the parameter and `value` is what was given.
 */
export class InvalidOptionError extends ConfigError {
  override readonly code = 'INVALID_OPTION';
  readonly option: string;
  readonly value: unknown;

  /** Message: `<option> must be <requirement>, got <value>` (strings quoted). */
  constructor(option: string, value: unknown, requirement: string) {
    super(`${option} must be ${requirement}, got ${quoteValue(value)}`);
    this.option = option;
    this.value = value;
  }
}

/** A value as an error message quotes it: strings in double quotes, everything else as written. */
export function quoteValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint') return `${v}n`;
  if (Array.isArray(v)) return `[${v.map(quoteValue).join(', ')}]`;
  return String(v);
}
