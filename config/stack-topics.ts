/**
 * The paging topics of a stage are the stack's own (infra/paging-topics.ts creates them and
 * infra/environment.ts hands their Refs to the functions), so nobody types their ARNs. When
 * a stage file does not name them, they are derived from the stage: the name the stack gives
 * them, in the primary region of the first configured account. The deployed AUTOPILOT_CONFIG
 * replaces even these with the CloudFormation Refs.
 */
import type { AutopilotConfig, Severity } from '../domain/config';

export const PAGING_SEVERITIES: readonly Severity[] = ['P1', 'P2', 'P3', 'P4'];

export function stackTopicName(stage: string, severity: Severity): string {
  return `runbook-autopilot-${stage}-${severity.toLowerCase()}`;
}

export function stackTopicArns(config: Pick<AutopilotConfig, 'stage' | 'primaryRegion' | 'accountIds'>): Record<Severity, string> {
  const account = config.accountIds[0] ?? '000000000000';
  const out = {} as Record<Severity, string>;
  for (const severity of PAGING_SEVERITIES) out[severity] = `arn:aws:sns:${config.primaryRegion}:${account}:${stackTopicName(config.stage, severity)}`;
  return out;
}
