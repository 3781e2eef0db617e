import type { Clock } from '../../src/clock';

/** A clock the test moves: no sleeping for expiries or TOTP steps. Starts at the middle of a 30 s step. */
export class TestClock implements Clock {
  private ms: number;

  constructor(startMs = Math.floor(Date.now() / 30_000) * 30_000 + 15_000) {
    this.ms = startMs;
  }

  now(): Date {
    return new Date(this.ms);
  }

  get epochMs(): number {
    return this.ms;
  }

  advance(ms: number): void {
    this.ms += ms;
  }
}
