/**
 * The chaos matrix: every scenario replayed under each injected fault, each run classified.
 *
 * A run must end remediated (an incident reached mitigated/resolved) or paged (a page
 * trigger was published, or an event/execution reached an on-failure queue whose alarm pages
 * P2 in the deployed stack: infra/delivery.ts). A scenario whose fault-free baseline
 * neither remediates nor pages (bad input, a primary that recovered on its own) is
 * `no-action`, accepted only when the faulted run mutated nothing either. Everything else
 * fails: `silent`, `repeated-mutation` (one mutating call with the same input succeeded
 * twice), `error` (the run itself broke: a stuck workflow, an unknown AWS operation...).
 */
import './quiet';
import type { FaultSpec, HangTarget } from '../test/simulated-region/spec';
import { startDynalite } from '../test/support/dynalite';
import { setupDurableEnvironment, teardownDurableEnvironment } from './durable-host';
import { runScenario } from './engine';
import type { PreparedScenario } from './load';
import type { MutationRecord, ScenarioRun } from './run-types';
import { loadRunbookModules, type RunbookModules } from './runbooks';

export const CHAOS_FAULTS = ['baseline', 'throttling', 'server-errors', 'timeouts', 'crash', 'stuck'] as const;
export type ChaosFault = (typeof CHAOS_FAULTS)[number];

export const PASSING_OUTCOMES = ['remediated', 'paged', 'no-action'] as const;
export type ChaosOutcome = (typeof PASSING_OUTCOMES)[number] | 'silent' | 'repeated-mutation' | 'error';

export interface ChaosCell {
  scenario: string;
  fault: ChaosFault;
  outcome: ChaosOutcome;
  /** Why: the incident status, the pages, the repeated call or the run errors. */
  detail: string;
  mutations: number;
  wallMs: number;
}

/** Share of AWS calls failed by the probabilistic faults (seeded per scenario world). */
export const DEFAULT_FAULT_SHARE = 0.3;

/**
 * Every service the simulated region answers (DynamoDB, the state table, is dynalite's): a
 * fault names its service, so "a share of all calls" is one fault per service.
 */
export const SIMULATED_SERVICES = ['RDS', 'ECS', 'Route53', 'CloudWatch', 'CloudWatchLogs', 'CodeDeploy', 'ElasticLoadBalancingV2', 'S3', 'ApplicationAutoScaling', 'ElastiCache', 'SNS', 'EventBridge', 'Lambda'] as const;

const HANG_TARGETS: readonly HangTarget[] = ['rds-promotion', 'rds-modify', 'rds-restore', 'rds-snapshot', 'ecs-deployment', 'route53-change', 'codedeploy-rollback'];

/** The simulator faults behind one chaos fault (crash is not a simulator fault: see runChaos). */
export function faultSpecs(fault: ChaosFault, share = DEFAULT_FAULT_SHARE): FaultSpec[] {
  switch (fault) {
    case 'throttling':
      return SIMULATED_SERVICES.map((service): FaultSpec => ({ id: `chaos-throttling-${service}`, kind: 'throttle', service, probability: share }));
    case 'server-errors':
      return SIMULATED_SERVICES.map((service): FaultSpec => ({ id: `chaos-server-errors-${service}`, kind: 'server-error', service, probability: share }));
    case 'timeouts':
      return SIMULATED_SERVICES.map((service): FaultSpec => ({ id: `chaos-timeouts-${service}`, kind: 'timeout', service, probability: share }));
    case 'stuck':
      return HANG_TARGETS.map((what): FaultSpec => ({ id: `chaos-stuck-${what}`, kind: 'hang', what }));
    case 'baseline':
    case 'crash':
      return [];
  }
}

/** The scenario with the fault's simulator faults added to its own. */
export function withFault(prepared: PreparedScenario, fault: ChaosFault, share = DEFAULT_FAULT_SHARE): PreparedScenario {
  const extra = faultSpecs(fault, share);
  if (extra.length === 0) return prepared;
  return { ...prepared, world: { ...prepared.world, faults: [...(prepared.world.faults ?? []), ...extra] } };
}

/**
 * A mutating call that succeeded again with the same input, with no other successful call
 * of that operation in between: the signature of a retry (or a duplicate) redoing work.
 * Returning to an earlier value later (scale 4 -> 8 -> ... -> 4) is a new decision, not a repeat.
 */
export function repeatedMutations(mutations: readonly MutationRecord[]): { call: string; times: number }[] {
  const last = new Map<string, { input: string; times: number }>();
  const repeats = new Map<string, number>();
  for (const m of mutations) {
    const op = `${m.service}.${m.operation} (${m.region})`;
    const input = stableJson(m.input);
    const prev = last.get(op);
    const times = prev && prev.input === input ? prev.times + 1 : 1;
    last.set(op, { input, times });
    if (times > 1) repeats.set(`${op} ${input}`, Math.max(times, repeats.get(`${op} ${input}`) ?? 0));
  }
  return [...repeats.entries()].map(([call, times]) => ({ call, times }));
}

/** JSON with object keys sorted and byte arrays as text, so equal inputs compare equal. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Uint8Array) return Buffer.from(v).toString('utf8');
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
    }
    return v;
  });
}

const ON_FAILURE_QUEUE = 'P2 on-failure queue alarm: ';

/** Run errors that are in fact deliveries to an on-failure queue (its alarm pages P2). */
function onFailureQueue(run: ScenarioRun): { pagedBy: string[]; otherErrors: string[] } {
  const pagedBy: string[] = [];
  const otherErrors: string[] = [];
  const exhausted = run.exhaustedIntakes ?? [];
  for (const e of run.runErrors) {
    const intake = exhausted.find((x) => e.startsWith(`${x.runbook} intake threw ${x.error}`));
    // A durable execution that fails goes to the on-failure queue too (WORKFLOW_ASYNC_RETRIES = 0).
    const workflow = /^workflow \S+ \([a-z0-9-]+\) failed: /.test(e);
    if (intake) pagedBy.push(`${intake.runbook} intake exhausted its retries (${intake.error})`);
    else if (workflow) pagedBy.push(e);
    else otherErrors.push(e);
  }
  return { pagedBy, otherErrors };
}

/** One run's outcome; `baseline` is the same scenario's fault-free cell (absent for the baseline itself). */
export function classify(run: ScenarioRun, baseline?: ChaosCell): { outcome: ChaosOutcome; detail: string } {
  const mutations = run.mutations ?? [];
  const repeated = repeatedMutations(mutations);
  if (repeated.length > 0) return { outcome: 'repeated-mutation', detail: repeated.map((r) => `${r.times}x ${r.call}`).join('; ') };
  const { pagedBy, otherErrors } = onFailureQueue(run);
  if (otherErrors.length > 0) return { outcome: 'error', detail: otherErrors.join('; ') };

  const remediated = run.incidents.filter((i) => i.status === 'mitigated' || i.status === 'resolved');
  if (remediated.length > 0) return { outcome: 'remediated', detail: remediated.map((i) => `${i.key}: ${i.status}`).join('; ') };
  const triggers = run.pages.filter((p) => p.page.action === 'trigger' && p.published);
  if (triggers.length > 0 || pagedBy.length > 0) {
    const pages = triggers.map((p) => `${p.page.severity} "${p.page.title}"`);
    const queue = pagedBy.map((why) => `${ON_FAILURE_QUEUE}${why}`);
    return { outcome: 'paged', detail: [...pages, ...queue].join('; ') };
  }
  const statuses = run.incidents.map((i) => `${i.key}: ${i.status}`).join('; ') || 'no incident';
  if (mutations.length === 0 && (baseline === undefined || baseline.outcome === 'no-action')) {
    return { outcome: 'no-action', detail: `no page, no remediation, no mutation (${statuses})` };
  }
  return { outcome: 'silent', detail: `no page and no remediation after ${mutations.length} mutation(s) (${statuses})` };
}

export function passes(cell: ChaosCell): boolean {
  return (PASSING_OUTCOMES as readonly string[]).includes(cell.outcome);
}

export interface ChaosOptions {
  faults?: readonly ChaosFault[];
  share?: number;
  /** Use this DynamoDB endpoint (tests: the jest global dynalite) instead of starting one. */
  dynamoEndpoint?: string;
  modules?: RunbookModules;
  settleTimeoutMs?: number;
  onCell?: (cell: ChaosCell) => void;
}

/**
 * Scenario by scenario, fault by fault (the baseline first: no-action needs it), one at a
 * time: the durable runner's fake timers are process-wide (see drill.ts DEFAULT_CONCURRENCY).
 */
export async function runChaos(scenarios: readonly PreparedScenario[], opts: ChaosOptions = {}): Promise<ChaosCell[]> {
  const faults = opts.faults ?? CHAOS_FAULTS;
  const modules = opts.modules ?? loadRunbookModules();
  const local = opts.dynamoEndpoint ? undefined : await startDynalite();
  const dynamoEndpoint = opts.dynamoEndpoint ?? local?.endpoint ?? '';
  const cells: ChaosCell[] = [];
  await setupDurableEnvironment();
  try {
    for (const prepared of scenarios) {
      let baseline: ChaosCell | undefined;
      const order: ChaosFault[] = ['baseline', ...faults.filter((f) => f !== 'baseline')];
      for (const fault of order) {
        const run = await runScenario(withFault(prepared, fault, opts.share), {
          dynamoEndpoint,
          modules,
          settleTimeoutMs: opts.settleTimeoutMs,
          crashEachStepOnce: fault === 'crash',
        });
        const { outcome, detail } = classify(run, baseline);
        const cell: ChaosCell = { scenario: prepared.scenario.name, fault, outcome, detail, mutations: run.mutations?.length ?? 0, wallMs: run.wallMs };
        if (fault === 'baseline') baseline = cell;
        if (faults.includes(fault)) {
          cells.push(cell);
          opts.onCell?.(cell);
        }
      }
    }
  } finally {
    await teardownDurableEnvironment();
    await local?.stop();
  }
  return cells;
}

/** Paged, but by no page of the autopilot's own: only an event or execution in an on-failure queue. */
function queueOnly(c: ChaosCell): boolean {
  return c.outcome === 'paged' && c.detail.startsWith(ON_FAILURE_QUEUE);
}

/** scenario × fault -> outcome, then totals per outcome. */
export function formatChaosTable(cells: readonly ChaosCell[], wallMs?: number): string {
  const faults = CHAOS_FAULTS.filter((f) => cells.some((c) => c.fault === f));
  const scenarios = [...new Set(cells.map((c) => c.scenario))];
  const width = Math.max('scenario'.length, ...scenarios.map((s) => s.length));
  const col = Math.max(...faults.map((f) => f.length), 'repeated-mutation'.length) + 2;
  const mark = (c: ChaosCell | undefined): string => (c ? (passes(c) ? `${c.outcome}${queueOnly(c) ? '*' : ''}` : `!! ${c.outcome}`) : '-');
  const lines = [['scenario'.padEnd(width), ...faults.map((f) => f.padEnd(col))].join('  ').trimEnd()];
  for (const s of scenarios) {
    lines.push([s.padEnd(width), ...faults.map((f) => mark(cells.find((c) => c.scenario === s && c.fault === f)).padEnd(col))].join('  ').trimEnd());
  }
  const counts = new Map<string, number>();
  for (const c of cells) counts.set(c.outcome, (counts.get(c.outcome) ?? 0) + 1);
  const failed = cells.filter((c) => !passes(c));
  lines.push('');
  lines.push(`totals: ${cells.length} run(s): ${[...counts.entries()].map(([o, n]) => `${n} ${o}`).join(', ')}; ${failed.length} failed${wallMs !== undefined ? `; ${(wallMs / 1000).toFixed(1)} s` : ''}`);
  const viaQueue = cells.filter(queueOnly);
  if (viaQueue.length > 0) lines.push(`* paged only by the on-failure queue alarm (P2), no page of its own: ${viaQueue.length} run(s)`);
  for (const c of failed) lines.push(`!! ${c.scenario} × ${c.fault}: ${c.outcome} - ${c.detail}`);
  return lines.join('\n');
}
