/**
 * The daily readiness check's metric: RunbookReady (1 ready / 0 not) per runbook and stage,
 * in the RunbookAutopilot namespace (CloudWatch PutMetricData), for an alarm on "not ready".
 */
import { PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import type { RunbookId } from '../../domain/config';
import { READINESS_METRIC, READINESS_NAMESPACE } from '../../domain/preflight';
import type { AwsRegions } from './clients';
import './sdk/cloudwatch';

export { READINESS_METRIC, READINESS_NAMESPACE };

export async function publishReadiness(aws: AwsRegions, region: string, stage: string, results: readonly { runbook: RunbookId; ready: boolean }[], now: number): Promise<void> {
  await aws.in(region).cloudwatch.send(
    new PutMetricDataCommand({
      Namespace: READINESS_NAMESPACE,
      MetricData: results.map((r) => ({
        MetricName: READINESS_METRIC,
        Dimensions: [{ Name: 'Stage', Value: stage }, { Name: 'Runbook', Value: r.runbook }],
        Timestamp: new Date(now),
        Value: r.ready ? 1 : 0,
        Unit: 'Count',
      })),
    }),
  );
}
