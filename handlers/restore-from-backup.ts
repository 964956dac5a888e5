/**
 * Runbook handler: restore-from-backup. STUB - replaced by the runbook's implementation.
 * Exports: `handler` (intake, EventBridge target) and `workflow` (durable).
 */
export const handler = async (event: unknown): Promise<{ status: string }> => {
  void event;
  return { status: 'not-implemented' };
};
export const workflow = async (event: unknown): Promise<{ status: string }> => {
  void event;
  return { status: 'not-implemented' };
};
