/**
 * The console pages that links in e-mails open, on PUBLIC_URL (web/src/main.ts routes each; the gateway answers
 * every console path with index.html, src/http/console-assets.ts). The token rides in the query string.
 */
export const CONSOLE_PATHS = {
  verifyEmail: '/verify-email',
  resetPassword: '/reset-password',
  invitation: '/invitation',
  /** Device sign-in: approving a terminal's code (`?code=` from verificationUriComplete). */
  device: '/device',
  /** The console's home: the tenants and workspaces of the signed-in agent. */
  home: '/',
} as const;
