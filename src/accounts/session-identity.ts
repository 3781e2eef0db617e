/** The signed-in caller of a request: its session and the agent it belongs to. */
export interface SessionIdentity {
  sessionId: string;
  agentId: string;
}
