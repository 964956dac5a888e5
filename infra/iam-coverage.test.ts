/**
 * Every AWS call a runbook's adapter makes is allowed by the role of the function that runs
 * it: an AccessDenied found here costs a test run, found in an incident it costs the
 * remediation. The calls are read from the adapters' source (`new XCommand(` of an
 * @aws-sdk/client-* import), so a new call without a grant fails this test.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../config/load';
import type { RunbookId } from '../domain/config';
import { deployedFunctions } from './functions';
import { deployedFunctions as functionsOf, operatorFunction, preflightFunction } from './functions';
import { HAND_OFF_RUNBOOKS, preflightStatements, roleStatements, simulatedRoles } from './permissions';
import { RUNBOOK_FUNCTIONS } from '../handlers/shared/contract';

const ADAPTERS = join(__dirname, '..', 'adapters', 'aws');
const ADAPTER_OF: Record<RunbookId, string> = {
  'database-failover': 'failover.ts',
  'rollback-deployment': 'rollback.ts',
  'scale-ecs': 'scaling.ts',
  'investigate-5xx': 'investigation.ts',
  'restore-from-backup': 'restore.ts',
};

/** IAM prefix of each SDK client package. */
const IAM_PREFIX: Record<string, string> = {
  'client-rds': 'rds',
  'client-ecs': 'ecs',
  'client-route-53': 'route53',
  'client-cloudwatch': 'cloudwatch',
  'client-cloudwatch-logs': 'logs',
  'client-codedeploy': 'codedeploy',
  'client-elastic-load-balancing-v2': 'elasticloadbalancing',
  'client-s3': 's3',
  'client-application-auto-scaling': 'application-autoscaling',
  'client-elasticache': 'elasticache',
  'client-lambda': 'lambda',
  'client-dynamodb': 'dynamodb',
  'client-sns': 'sns',
  'client-eventbridge': 'events',
  'client-iam': 'iam',
  'client-secrets-manager': 'secretsmanager',
  'client-ssm': 'ssm',
};

/** Operations whose IAM action is not `<prefix>:<Operation>` (Service Authorization Reference). */
const ACTIONS_OF: Record<string, string[]> = {
  's3:HeadBucket': ['s3:ListBucket'],
  's3:ListObjectVersions': ['s3:ListBucketVersions'],
  's3:CopyObject': ['s3:PutObject', 's3:GetObjectVersion', 's3:GetObjectVersionTagging', 's3:PutObjectTagging'],
  'lambda:Invoke': ['lambda:InvokeFunction'],
};

interface SdkCall {
  file: string;
  action: string;
}

/** The SDK operations a source file constructs, with the files it takes them from (./task-definitions). */
function sdkCalls(file: string, seen = new Set<string>(), dir = ADAPTERS): SdkCall[] {
  if (seen.has(file)) return [];
  seen.add(file);
  const source = readFileSync(join(dir, file), 'utf8');
  const prefixOf = new Map<string, string>();
  for (const m of source.matchAll(/import\s*\{([^}]*)\}\s*from\s*'@aws-sdk\/([a-z0-9-]+)'/g)) {
    const prefix = IAM_PREFIX[m[2]!];
    if (prefix === undefined) throw new Error(`${file}: no IAM prefix known for @aws-sdk/${m[2]}`);
    for (const name of m[1]!.split(',').map((n) => n.trim()).filter((n) => n.endsWith('Command'))) prefixOf.set(name, prefix);
  }
  const calls: SdkCall[] = [];
  for (const m of source.matchAll(/new\s+([A-Za-z0-9]+Command)\s*\(/g)) {
    const prefix = prefixOf.get(m[1]!);
    if (prefix === undefined) throw new Error(`${file}: ${m[1]} is not imported from an @aws-sdk client`);
    calls.push({ file, action: `${prefix}:${m[1]!.replace(/Command$/, '')}` });
  }
  for (const m of source.matchAll(/from\s*'\.\/([a-z0-9-]+)'/g)) {
    const local = `${m[1]}.ts`;
    if (dir === ADAPTERS && local !== 'clients.ts') calls.push(...sdkCalls(local, seen));
  }
  return calls;
}

const READ_ONLY = /^[a-z0-9-]+:(Describe|List|Get|Head)[A-Za-z0-9]*$/;
const config = loadConfig('dev');
const fns = deployedFunctions('dev');
const params = {};
const allowedActions = (key: string): Set<string> => {
  const fn = fns.find((f) => f.key === key)!;
  return new Set(roleStatements(fn, fns, config, params).flatMap((s) => s.Action));
};

describe.each(Object.entries(ADAPTER_OF) as Array<[RunbookId, string]>)('%s (adapters/aws/%s)', (runbook, file) => {
  const calls = sdkCalls(file);
  const actor = fns.find((f) => f.runbook === runbook && f.kind === 'workflow') ?? fns.find((f) => f.runbook === runbook && f.kind === 'intake')!;

  it('makes AWS calls at all (the scan found the adapter)', () => {
    expect(calls.length).toBeGreaterThan(0);
  });

  it(`is fully allowed by the role of ${actor.key}, the function that acts`, () => {
    const allowed = allowedActions(actor.key);
    const missing = calls.flatMap((c) => (ACTIONS_OF[c.action] ?? [c.action]).filter((a) => !allowed.has(a)).map((a) => `${a} (${c.file})`));
    expect([...new Set(missing)]).toEqual([]);
  });

  // Intakes and workflows apart: an intake holds only the reads its own code makes (intakeReads), not every read
  // of its adapter. Which calls each function makes is recorded by the drill per calling function; the simulated
  // region denies anything else, and infra/iam-usage.test.ts runs every scenario and fails on a denial or an unused grant.
  it('gives a durable runbook\'s intake no mutation and only reads its adapter makes', () => {
    const intake = fns.find((f) => f.runbook === runbook && f.kind === 'intake')!;
    if (intake === actor) return;
    const allowed = allowedActions(intake.key);
    // scale-ecs diagnoses before scaling with the investigation adapter's signals (issue 13).
    const diagnosis = runbook === 'scale-ecs' ? sdkCalls('investigation.ts') : [];
    const adapterReads = new Set([...calls, ...diagnosis].filter((c) => READ_ONLY.test(c.action)).flatMap((c) => ACTIONS_OF[c.action] ?? [c.action]));
    const adapterWrites = new Set(calls.filter((c) => !READ_ONLY.test(c.action)).flatMap((c) => ACTIONS_OF[c.action] ?? [c.action]));
    expect([...allowed].filter((a) => adapterWrites.has(a))).toEqual([]);
    const runbookReads = [...allowed].filter((a) => !a.startsWith('dynamodb:') && !a.startsWith('logs:') && !['sns:Publish', 'kms:GenerateDataKey', 'kms:Decrypt', 'events:PutEvents', 'sqs:SendMessage', 'lambda:InvokeFunction'].includes(a));
    expect(runbookReads.filter((a) => !adapterReads.has(a))).toEqual([]);
  });
});

describe('the runtime every function shares (state table, pages, hand-offs, workflow starts)', () => {
  const root = join(__dirname, '..');
  const runtimeFiles = ['adapters/dynamo/guardrail-store.ts', 'adapters/sns/pager.ts', 'adapters/runtime/create-runtime.ts', 'adapters/aws/workflow-starter.ts', 'adapters/aws/handoff.ts'];
  const calls = runtimeFiles.flatMap((f) => sdkCalls(f, new Set(), root));

  it('is allowed to every function (lambda:InvokeFunction only to intakes that start a workflow, events:PutEvents only to those that hand off)', () => {
    expect(calls.length).toBeGreaterThan(0);
    for (const fn of fns) {
      const allowed = allowedActions(fn.key);
      const starts = fn.kind === 'intake' && fns.some((f) => f.runbook === fn.runbook && f.kind === 'workflow');
      const handsOff = fn.kind === 'intake' && HAND_OFF_RUNBOOKS.includes(fn.runbook);
      const needed = calls
        .flatMap((c) => ACTIONS_OF[c.action] ?? [c.action])
        .filter((a) => (a !== 'lambda:InvokeFunction' || starts) && (a !== 'events:PutEvents' || handsOff));
      expect({ fn: fn.key, missing: [...new Set(needed.filter((a) => !allowed.has(a)))] }).toEqual({ fn: fn.key, missing: [] });
    }
  });

  it('hands off (rt.emit) only from the runbooks that hold events:PutEvents', () => {
    const root = join(__dirname, '..');
    for (const rb of Object.keys(RUNBOOK_FUNCTIONS) as RunbookId[]) {
      const file = `runbooks/${rb}/intake.ts`;
      const emits = /\brt\.emit\(/.test(readFileSync(join(root, file), 'utf8'));
      expect({ runbook: rb, emits }).toEqual({ runbook: rb, emits: HAND_OFF_RUNBOOKS.includes(rb) });
    }
  });
});

// The scheduled preflight (issue 16 item 3): every call of its adapters (the facts, the metric, the
// policy simulation) and of the runtime it pages and stores through, allowed by its own role.
describe('the scheduled preflight (adapters/aws/preflight.ts, readiness-metric.ts, iam-simulation.ts)', () => {
  const preflight = preflightFunction('dev');
  const allowed = new Set(preflightStatements(preflight, simulatedRoles(functionsOf('dev'), operatorFunction('dev')), config).flatMap((s) => s.Action));
  const calls = ['preflight.ts', 'readiness-metric.ts', 'iam-simulation.ts'].flatMap((f) => sdkCalls(f));

  it('is allowed every call its adapters make', () => {
    expect(calls.map((c) => c.action)).toEqual(expect.arrayContaining(['iam:SimulatePrincipalPolicy', 'cloudwatch:PutMetricData', 'sns:ListSubscriptionsByTopic']));
    const missing = calls.flatMap((c) => (ACTIONS_OF[c.action] ?? [c.action]).filter((a) => !allowed.has(a)).map((a) => `${a} (${c.file})`));
    expect([...new Set(missing)]).toEqual([]);
  });

  it('holds no mutation of the estate: its adapters call only reads, the metric and the simulation', () => {
    const writes = calls.filter((c) => !READ_ONLY.test(c.action)).map((c) => c.action);
    expect([...new Set(writes)].sort()).toEqual(['cloudwatch:PutMetricData', 'iam:SimulatePrincipalPolicy']);
  });
});
