/**
 * Errors caused by the user's input (a file that cannot be read, broken YAML, binary data), kept apart
 * from internal bugs. Each names the file and, where known, the line, so the user can fix it.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  /** What is wrong, without the location (the message has both). */
  readonly detail: string;

  constructor(
    detail: string,
    /** The file as the user named it (`<stdin>` for standard input). */
    readonly file: string,
    /** 1-based line, when known. */
    readonly line?: number,
    /** 1-based column, when known. */
    readonly column?: number,
  ) {
    super(
      `${file}${line === undefined ? '' : `:${line}${column === undefined ? '' : `:${column}`}`}: ${detail}`,
    );
    this.detail = detail;
  }
}
