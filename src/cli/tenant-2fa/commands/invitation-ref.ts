import { usageError } from '../exit-codes';

/** An invitation's id (a UUID, as `invitations list` shows it). */
const INVITATION_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The token of an invitation, from its token or from the whole link the e-mail holds (…/invitation?token=…). */
export function invitationToken(given: string): string {
  const text = given.trim();
  if (!/^https?:\/\//.test(text)) return text;
  const token = new URL(text).searchParams.get('token');
  if (!token) throw usageError('That link holds no invitation token.', "Give the link from the invitation e-mail (…/invitation?token=…), or the token itself.");
  return token;
}

/** What `invitations accept` was given: an id from `invitations list`, or the e-mail's link or token. */
export function invitationRef(given: string): { invitationId: string } | { token: string } {
  const text = given.trim();
  return INVITATION_ID.test(text) ? { invitationId: text } : { token: invitationToken(text) };
}
