/**
 * A problem the operator fixes before the gateway can start (a bad setting, an unreachable database, a missing
 * encryption key). Its message says what to do; `main` and the CLIs print it alone, without a stack trace.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
