/**
 * The gateway's address as browsers reach it: PUBLIC_URL, or in development (where it may be unset) the address
 * it listens on, known once it listens. Links in e-mails, the tokens' issuer, device sign-in and single sign-on
 * are built here, so none of them can point anywhere else.
 */
export class PublicUrl {
  private listening: string | null = null;

  constructor(private readonly configured: string | null) {}

  /** Called by the server once it listens (the port may have been 0). */
  listeningAt(url: string): void {
    this.listening ??= url;
  }

  /** e.g. https://auth.example.com (no trailing slash). */
  get base(): string {
    const base = this.configured ?? this.listening;
    if (!base) throw new Error('PUBLIC_URL is not set and the gateway is not listening yet');
    return base;
  }

  /** An absolute link to a path of the gateway (`/reset-password`), with query parameters. */
  link(path: string, query: Record<string, string> = {}): string {
    const url = new URL(this.base + (path.startsWith('/') ? path : `/${path}`));
    for (const [name, value] of Object.entries(query)) url.searchParams.set(name, value);
    return url.toString();
  }
}
