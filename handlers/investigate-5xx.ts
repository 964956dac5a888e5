/**
 * Runbook handler: investigate-5xx. STUB - replaced by the runbook's implementation.
 * Exports: `handler` (intake, EventBridge target).
 */
export const handler = async (event: unknown): Promise<{ status: string }> => {
  void event;
  return { status: 'not-implemented' };
};
