/**
 * Alarms bound by identity, not by name.
 *
 * A configured alarm (config.alarms.*) is an exact alarm name or alarm ARN, never a prefix: a
 * prefix let an alarm of another service whose name began the same way scale our service.
 * And a name is a claim: the intake also checks, from the alarm event's own configuration,
 * that the alarm measures the managed resource (namespace, metric and the dimensions that name
 * it: ClusterName/ServiceName, LoadBalancer, DBInstanceIdentifier). A composite alarm carries
 * no metric: it is accepted on its exact identity alone (its rule is the operator's).
 *
 * Pure: the config and the parsed event come in as arguments.
 */
import type { AutopilotConfig } from './config';
import type { GuardrailName, Verdict } from './guardrails';
import type { AlarmDetail, MetricStat } from '../events/types';

export type AlarmRole = 'cpu' | 'fiveXx' | 'databaseDown';

export const ALARM_BINDING_GUARDRAIL = 'AlarmBinding' satisfies GuardrailName;

/** The alarm's name from its ARN (arn:aws:cloudwatch:<region>:<account>:alarm:<name>), or the entry itself. */
export function alarmNameOf(entry: string): string {
  const m = /^arn:aws[a-z-]*:cloudwatch:[^:]*:[^:]*:alarm:(.+)$/.exec(entry);
  return m?.[1] ?? entry;
}

/**
 * Is this alarm one of the configured ones? A name entry matches the name exactly; an ARN entry
 * matches the alarm's ARN exactly (from the event's `resources`) when one is known.
 */
export function isConfiguredAlarm(entries: readonly string[], alarmName: string, alarmArns: readonly string[] = []): boolean {
  return entries.some((e) => (e.startsWith('arn:') ? alarmArns.includes(e) || (alarmArns.length === 0 && alarmNameOf(e) === alarmName) : e === alarmName));
}

interface Expected {
  what: string;
  measures: (m: MetricStat) => boolean;
}

function expectedFor(role: AlarmRole, config: AutopilotConfig): Expected[] {
  const { service, database } = config;
  switch (role) {
    case 'cpu':
      return [
        {
          what: `AWS/ECS or ECS/ContainerInsights CPUUtilization of ClusterName=${service.clusterName}, ServiceName=${service.serviceName}`,
          measures: (m) =>
            (m.namespace === 'AWS/ECS' || m.namespace === 'ECS/ContainerInsights') &&
            (m.name === 'CPUUtilization' || m.name === 'CpuUtilized') &&
            m.dimensions.ClusterName === service.clusterName &&
            m.dimensions.ServiceName === service.serviceName,
        },
      ];
    case 'fiveXx':
      return [
        {
          what: `AWS/ApplicationELB HTTPCode_Target_5XX_Count or HTTPCode_ELB_5XX_Count of LoadBalancer=${service.loadBalancerDimension}`,
          measures: (m) =>
            m.namespace === 'AWS/ApplicationELB' &&
            (m.name === 'HTTPCode_Target_5XX_Count' || m.name === 'HTTPCode_ELB_5XX_Count') &&
            m.dimensions.LoadBalancer === service.loadBalancerDimension,
        },
      ];
    case 'databaseDown':
      return [
        {
          what: `a metric of DBInstanceIdentifier=${database.primaryInstanceId} (AWS/RDS or a health-check namespace)`,
          measures: (m) => m.dimensions.DBInstanceIdentifier === database.primaryInstanceId,
        },
        // The standby's trigger (issue 15, infra/standby.ts): the replica stops replaying when
        // the primary is gone, and that alarm lives in the secondary region, where the standby's
        // EventBridge delivers it. It measures the replica, not the primary: it is bound to the
        // pair by the replica's identity and by the metric (AWS/RDS ReplicaLag) only. It only
        // opens the confirmation window; "confirmed down" is still judged on the evidence.
        {
          what: `AWS/RDS ReplicaLag of DBInstanceIdentifier=${database.replicaInstanceId} (replay stopped)`,
          measures: (m) => m.namespace === 'AWS/RDS' && m.name === 'ReplicaLag' && m.dimensions.DBInstanceIdentifier === database.replicaInstanceId,
        },
      ];
  }
}

/**
 * AlarmBinding: does the alarm measure the managed resource for `role`? A metric or metric-math
 * alarm passes when at least one of its metrics is the expected one and none names another
 * instance of the same dimension (a math expression over our service and another is not ours).
 */
export function alarmBindingVerdict(detail: AlarmDetail, role: AlarmRole, config: AutopilotConfig): Verdict {
  if (detail.alarmType === 'composite') {
    return { guardrail: ALARM_BINDING_GUARDRAIL, pass: true, reason: `${detail.alarmName} is a composite alarm configured by its exact identity (no metric of its own to check)` };
  }
  const stats = detail.metrics.flatMap((m) => ('metricStat' in m ? [m.metricStat] : []));
  const expected = expectedFor(role, config);
  const ours = stats.filter((s) => expected.some((e) => e.measures(s)));
  const identifying = ['ClusterName', 'ServiceName', 'LoadBalancer', 'DBInstanceIdentifier'] as const;
  const foreign = stats.filter((s) => !ours.includes(s) && identifying.some((d) => s.dimensions[d] !== undefined && !ours.some((o) => o.dimensions[d] === s.dimensions[d])));
  const seen = stats.map((s) => `${s.namespace} ${s.name} {${Object.entries(s.dimensions).map(([k, v]) => `${k}=${v}`).join(', ')}}`);
  if (ours.length === 0 || foreign.length > 0) {
    return {
      guardrail: ALARM_BINDING_GUARDRAIL,
      pass: false,
      reason: `AlarmNotBound: ${detail.alarmName} measures ${seen.length > 0 ? seen.join('; ') : 'no metric'}, not ${expected.map((e) => e.what).join(' or ')}${foreign.length > 0 && ours.length > 0 ? ' alone' : ''}`,
      evidence: { alarm: detail.alarmName, metrics: seen },
    };
  }
  return { guardrail: ALARM_BINDING_GUARDRAIL, pass: true, reason: `${detail.alarmName} measures ${seen.join('; ')}` };
}
