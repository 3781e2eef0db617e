import type { RequestOrigin } from '../audit/audit-log';

/**
 * The signed-in caller of a request: its session, the agent it belongs to, and where this request came from
 * (its audit events record the address; security notices name the address and the device).
 */
export interface SessionIdentity extends RequestOrigin {
  sessionId: string;
  agentId: string;
}
