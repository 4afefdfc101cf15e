/**
 * An error the user can act on: bad input or missing infrastructure. The CLI prints its
 * message (no stack) and exits with `exitCode` (2 = bad input or infrastructure).
 */
export class UserFacingError extends Error {
  constructor(message: string, readonly exitCode = 2) {
    super(message);
    this.name = "UserFacingError";
  }
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return String(e);
}
