// Errors that end a run. Bad records are never errors: they are counted as Rejections.

/**
 * The input cannot be read at all: a missing or unreadable file, a directory, corrupt gzip data,
 * or bad flags. The CLI prints `message` (one line) and exits with status 2.
 */
export class InputError extends Error {
  /** Process exit status the CLI uses for this error. */
  readonly exitCode = 2;

  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'InputError';
  }
}
