/**
 * Grants against use: what each function's role allows versus what the drill saw that
 * function do (the simulated region authorises every call per calling function, intake and
 * workflow apart: drill/engine.ts). A grant no scenario needs is privilege nobody proved.
 */
import type { ResolvedStatement } from '../test/simulated-region/iam';
import type { ScenarioRun } from '../drill/run-types';

/**
 * Grants the drill cannot see used, each with the reason it is needed anyway. Everything else
 * granted must be used by some scenario.
 */
export const GRANTS_USED_OUTSIDE_OUR_CODE: Record<string, string> = {
  'logs:CreateLogStream': 'Lambda writes the function\'s own logs with its execution role (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html#monitoring-cloudwatchlogs-prereqs)',
  'logs:PutLogEvents': 'Lambda writes the function\'s own logs with its execution role (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html#monitoring-cloudwatchlogs-prereqs)',
  'kms:GenerateDataKey': 'SNS asks KMS for a data key with the publisher\'s permissions when it publishes to an encrypted topic (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse)',
  'kms:Decrypt': 'SNS decrypts the data key with the publisher\'s permissions when it publishes to an encrypted topic (https://docs.aws.amazon.com/sns/latest/dg/sns-key-management.html#sns-what-permissions-for-sse)',
  'sqs:SendMessage': 'Lambda sends a failed asynchronous invocation to the on-failure destination with the function\'s execution role (https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-retain-records.html#invocation-async-destinations)',
  'lambda:CheckpointDurableExecution': 'the durable execution SDK checkpoints with the function\'s role; the drill runs workflows in the local durable runner (https://docs.aws.amazon.com/lambda/latest/dg/durable-security.html)',
  'lambda:GetDurableExecutionState': 'the durable execution SDK reads its state with the function\'s role; the drill runs workflows in the local durable runner (https://docs.aws.amazon.com/lambda/latest/dg/durable-security.html)',
  'lambda:InvokeFunction': 'the intake starts its workflow with Invoke (DurableExecutionName); the drill starts it in the local durable runner instead (adapters/aws/workflow-starter.ts, tested in adapters/runtime/runtime.test.ts)',
  'events:PutEvents': 'hand-offs are PutEvents to the bus; the drill routes them itself like EventBridge (adapters/runtime/create-runtime.ts emit, adapters/aws/handoff.ts)',
};

/**
 * The shared runtime a durable runbook's intake carries (adapters/runtime/wiring.ts,
 * adapters/dynamo/guardrail-store.ts) on paths no scenario reaches. Not AWS's reasons: our own
 * code paths, named so the list stays short and visible.
 */
export const DURABLE_INTAKE_RUNTIME_GRANTS: Record<string, string> = {
  'dynamodb:DeleteItem': 'releases the workflow-start claim when the Invoke fails (adapters/runtime/wiring.ts); the drill\'s durable host never fails a start',
  'dynamodb:Query': 'the guardrail store\'s action history (adapters/dynamo/guardrail-store.ts recentActions), shared by every function\'s runtime; no durable intake reaches it in a scenario',
  'dynamodb:BatchWriteItem': 'the guardrail store\'s action records (adapters/dynamo/guardrail-store.ts recordAction), shared by every function\'s runtime; no durable intake reaches it in a scenario',
  'dynamodb:BatchGetItem': 'own-change marks read in one batch (adapters/dynamo/guardrail-store.ts), shared by every function\'s runtime; no durable intake reaches it in a scenario',
  'dynamodb:UpdateItem': 'the circuit breaker\'s atomic mutation counter (adapters/dynamo/guardrail-store.ts), shared by every function\'s runtime; a durable intake never mutates',
  'sns:Publish': 'an intake pages when it cannot start its workflow (adapters/runtime/wiring.ts); no scenario makes a start fail',
};

export interface GrantUse {
  fn: string;
  granted: string[];
  used: string[];
  /** Granted, never used by a scenario, and not an exception. */
  unused: string[];
  /** Granted, unused, and named in GRANTS_USED_OUTSIDE_OUR_CODE. */
  excepted: string[];
}

export function grantUse(policies: ReadonlyMap<string, readonly ResolvedStatement[]>, runs: readonly ScenarioRun[], durableIntakes: ReadonlySet<string> = new Set()): GrantUse[] {
  const used = new Map<string, Set<string>>();
  for (const run of runs) {
    for (const a of run.authorizations ?? []) {
      if (a.caller === undefined) continue;
      const set = used.get(a.caller) ?? new Set<string>();
      for (const d of a.decisions) if (d.allowed) set.add(d.action.toLowerCase());
      used.set(a.caller, set);
    }
  }
  return [...policies].map(([fn, statements]) => {
    const granted = [...new Set(statements.flatMap((s) => s.Action))].sort();
    const seen = used.get(fn) ?? new Set<string>();
    const idle = granted.filter((a) => !seen.has(a.toLowerCase()));
    const excepted = (a: string): boolean => a in GRANTS_USED_OUTSIDE_OUR_CODE || (durableIntakes.has(fn) && a in DURABLE_INTAKE_RUNTIME_GRANTS);
    return {
      fn,
      granted,
      used: granted.filter((a) => seen.has(a.toLowerCase())),
      unused: idle.filter((a) => !excepted(a)),
      excepted: idle.filter(excepted),
    };
  });
}
