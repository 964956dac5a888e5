/**
 * `npm run bench [-- --json] [-- --runs N --events N --only bundles,reaction,mitigation,storm]`
 *
 * Prints five tables (or, with --json, the same figures as JSON on stdout; progress goes to
 * stderr either way):
 *   1+2. cold start and size of every packaged function (bench/bundles.ts)
 *   3.   reaction overhead, event -> first mutating AWS call, warm (bench/reaction.ts)
 *   4.   simulated time to mitigate per drill scenario vs manual and AWS-native (bench/mitigation.ts)
 *   5.   alarm storm: 1,000 events for 10 incidents (bench/storm.ts)
 * A benchmark, not a test: it exits 0 whether goals are met or not (the table says which),
 * 1 only when a measurement could not be made.
 */
// quiet first: the handlers' module-level loggers read their level when they are built.
import '../drill/quiet';
import { cpus, loadavg } from 'node:os';
import { measureBundles, type BundleFigures } from './bundles';
import { startDynaliteProcess } from './dynalite-process';
import { measureMitigation, type MitigationFigures } from './mitigation';
import { measureInvestigateReaction, measureScaleDispatch, type ReactionFigures } from './reaction';
import { measureStorm, type StormFigures } from './storm';
import { formatTable, kb } from './stats';

const SECTIONS = ['bundles', 'reaction', 'mitigation', 'storm'] as const;
type Section = (typeof SECTIONS)[number];

export const GOALS = { coldStartRatio: 1.3, zippedBytes: 300 * 1024, reactionP99Ms: 50, stormExecutions: 10, failoverPostPromotionSeconds: 60 } as const;

/** Load average (1/5/15 min), rounded: the machine is shared, so every section carries its own. */
function load(): number[] {
  return loadavg().map((l) => Math.round(l * 100) / 100);
}

interface Options {
  json: boolean;
  runs: number;
  events: number;
  warmup: number;
  only: Section[];
}

function parseArgs(args: string[]): Options {
  const opts: Options = { json: false, runs: 15, events: 300, warmup: 30, only: [...SECTIONS] };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === '--json') opts.json = true;
    else if (a === '--runs') opts.runs = positive(a, value());
    else if (a === '--events') opts.events = positive(a, value());
    else if (a === '--warmup') opts.warmup = positive(a, value());
    else if (a === '--only') {
      const wanted = value().split(',');
      const bad = wanted.filter((w) => !(SECTIONS as readonly string[]).includes(w));
      if (bad.length > 0) throw new Error(`--only: unknown section(s) ${bad.join(', ')} (${SECTIONS.join(', ')})`);
      opts.only = wanted as Section[];
    } else throw new Error(`unknown option ${a}`);
  }
  if (opts.only.includes('bundles') && opts.runs < 10) throw new Error('--runs: at least 10 fresh processes per bundle');
  return opts;
}

function positive(name: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name}: not a positive integer: ${v}`);
  return n;
}

interface BenchResult {
  machine: { cpus: number; cpuModel: string; node: string; loadAverageBefore: number[]; loadAverageAfter?: number[] };
  goals: typeof GOALS;
  bundles?: BundleFigures[];
  reaction?: ReactionFigures[];
  mitigation?: MitigationFigures[];
  mitigationSkipped?: string[];
  storm?: StormFigures;
  /** Load average when each section's measurement ended. */
  loadAverage: Partial<Record<Section, number[]>>;
  /** The issue-18 figures in one place: per function its ratio and baseline kind, the failover's post-promotion seconds, round trips before the first mutation. */
  summary: {
    functions?: { function: string; kind: string; ratio: number; baselineKind: string; durableSdkInBundle: boolean; zippedBytes: number }[];
    failoverPostPromotionSeconds?: { scenario: string; seconds: number; basis: string }[];
    reaction?: { path: string; p99Ms: number; stateTableRoundTripsBefore: number; stateTableCallsBefore: number }[];
  };
  /** Sections that could not be measured, and why (the others still are). */
  errors: string[];
  assumptions: string[];
}

const ASSUMPTIONS = [
  'cold start: require() of the unzipped `sls package` bundle in a fresh node process until the handler export exists (Node startup left out on both sides); baseline = same esbuild settings, only the same @aws-sdk/client-* packages (baselineKind sdk-clients), plus the durable execution SDK for a workflow (sdk-clients+durable-sdk); medians, function and baseline runs interleaved. Measured on local Node, not Lambda nodejs22.x arm64.',
  'reaction: wall time from handler entry to the first mutating call handed to the transport, minus the wall time during which a simulated-region call was in flight. Includes parsing, domain decisions, the SDK client path (serialisation, endpoint, SigV4 signing), and state-table calls to dynalite (a local DynamoDB in a separate process over loopback: its latency stands in for DynamoDB\'s). "own code" also leaves out the state table. Warm: one runtime for all events; each event is a fresh incident (fresh world, emptied table).',
  'time to mitigate: simulated seconds from the first delivered event to the first incident marked mitigated (drill engine). Manual = the runbook\'s "Estimated Time". Target tracking: 3 x 1-min datapoints before its first scale-out, 300 s scale-out cooldown before the next; compared from the start of the breach (our CPU alarm needs its own datapoints first). Circuit breaker: threshold clamp(ceil(0.5 x desired), 3, 200) failed tasks, 60 s per failed launch assumed, desired-count at a time; it counts from the deployment start, ours from the first event. What follows our first mutation in the drill (tasks starting, the rollback deploying, verification) is added to the native figure too: it would follow the native action alike.',
  'failover post-promotion: simulated seconds from the promoted replica becoming available (the drill\'s successful PromoteReadReplica + the simulated region\'s promotion time) to the incident marked mitigated.',
  'state-table round trips: spells of waiting on the table before the first mutating call; calls in flight together count once.',
  'storm: 10 services (the scale runbook keys one incident per service), each 1 ALARM + 39 exact duplicates + 30 OK/ALARM flaps, interleaved; real scale-ecs intakes, production dispatcher (claim + Lambda Invoke by execution name, simulated Lambda joins a known name); workflows not run. One process, sequential deliveries (one Lambda container).',
];

async function run(opts: Options, log: (line: string) => void): Promise<BenchResult> {
  const result: BenchResult = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', node: process.version, loadAverageBefore: load() },
    goals: GOALS,
    loadAverage: {},
    summary: {},
    errors: [],
    assumptions: ASSUMPTIONS,
  };
  const attempt = async (section: Section, measure: () => Promise<void>): Promise<void> => {
    if (!opts.only.includes(section)) return;
    try {
      await measure();
      result.loadAverage[section] = load();
    } catch (err) {
      result.errors.push(`${section}: ${err instanceof Error ? err.message : String(err)}`);
      log(`${section} could not be measured: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
    }
  };
  await attempt('bundles', async () => {
    result.bundles = await measureBundles(opts.runs, log);
  });
  const needsTable = opts.only.some((s) => s !== 'bundles');
  if (needsTable) {
    const dynamo = await startDynaliteProcess();
    try {
      await attempt('reaction', async () => {
        log(`reaction: investigate-5xx, ${opts.events} events after ${opts.warmup} warm-up...`);
        const investigate = await measureInvestigateReaction(dynamo.endpoint, opts.events, opts.warmup);
        log(`reaction: scale-ecs dispatch, ${opts.events} events after ${opts.warmup} warm-up...`);
        const scale = await measureScaleDispatch(dynamo.endpoint, opts.events, opts.warmup);
        result.reaction = [investigate, scale];
      });
      await attempt('storm', async () => {
        log('alarm storm: 1,000 events for 10 incidents...');
        result.storm = await measureStorm(dynamo.endpoint);
      });
      await attempt('mitigation', async () => {
        const m = await measureMitigation(dynamo.endpoint, log);
        result.mitigation = m.figures;
        result.mitigationSkipped = m.skipped;
      });
    } finally {
      await dynamo.stop();
    }
  }
  result.machine.loadAverageAfter = load();
  if (result.bundles) {
    result.summary.functions = result.bundles.map((b) => ({ function: b.function, kind: b.kind, ratio: b.ratio, baselineKind: b.baselineKind, durableSdkInBundle: b.durableSdkInBundle, zippedBytes: b.zippedBytes }));
  }
  if (result.mitigation) {
    result.summary.failoverPostPromotionSeconds = result.mitigation.flatMap((m) => (m.postPromotionSeconds !== undefined ? [{ scenario: m.scenario, seconds: m.postPromotionSeconds, basis: m.promotionBasis ?? '' }] : []));
  }
  if (result.reaction) {
    result.summary.reaction = result.reaction.map((x) => ({ path: x.path, p99Ms: x.p99Ms, stateTableRoundTripsBefore: x.stateTableRoundTripsBefore, stateTableCallsBefore: x.stateTableCallsBefore }));
  }
  return result;
}

const yes = (ok: boolean): string => (ok ? 'yes' : 'NO');
const loadNote = (r: BenchResult, section: Section): string => (r.loadAverage[section] ? ` [load average ${r.loadAverage[section].join(' / ')} at its end]` : '');
const minutes = (s: number): string => (s >= 60 ? `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s` : `${Math.round(s)}s`);

export function formatResult(r: BenchResult): string {
  const out: string[] = [];
  out.push(`machine: ${r.machine.cpus} x ${r.machine.cpuModel}, node ${r.machine.node}, load average ${r.machine.loadAverageBefore.join(' / ')} before, ${(r.machine.loadAverageAfter ?? []).join(' / ')} after (1/5/15 min)`);
  if (r.bundles) {
    out.push('', `1+2. Cold start and bundle size per function (goals: ratio <= ${GOALS.coldStartRatio}, <= ${GOALS.zippedBytes / 1024} KB zipped)${loadNote(r, 'bundles')}`);
    out.push(
      formatTable([
        ['function', 'kind', 'durable SDK in bundle', 'zipped', 'unzipped', 'load (median)', 'baseline', 'baseline kind', 'ratio', 'ratio ok', 'min / min', 'size ok', 'SDK clients'],
        ...r.bundles.map((b) => [
          b.function,
          b.kind,
          b.durableSdkInBundle ? 'yes' : 'no',
          kb(b.zippedBytes),
          kb(b.unzippedBytes),
          `${b.coldStartMedianMs.toFixed(1)} ms`,
          `${b.baselineMedianMs.toFixed(1)} ms`,
          b.baselineKind,
          b.ratio.toFixed(2),
          yes(b.ratio <= GOALS.coldStartRatio),
          `${b.coldStartMinMs.toFixed(0)} / ${b.baselineMinMs.toFixed(0)} = ${b.ratioOfMins.toFixed(2)}`,
          yes(b.zippedBytes <= GOALS.zippedBytes),
          b.sdkClients.join(' '),
        ]),
      ]),
    );
    out.push(`(${r.bundles[0]?.runs ?? 0} fresh processes per bundle and per baseline; intakes and workflows are separate entry modules, so each row is its own bundle)`);
  }
  if (r.reaction) {
    out.push('', `3. Reaction overhead, event -> first mutating AWS call, simulated AWS time excluded, state table included, warm (goal: p99 < ${GOALS.reactionP99Ms} ms)${loadNote(r, 'reaction')}`);
    out.push(
      formatTable([
        ['path', 'first mutating call', 'events', 'p50', 'p99', 'max', 'goal', 'of which state table (p50)', 'own code p50 / p99', 'excluded sim (p50)', 'calls before (region / table)', 'table round trips before'],
        ...r.reaction.map((x) => [x.path, x.firstMutation, String(x.events), `${x.p50Ms} ms`, `${x.p99Ms} ms`, `${x.maxMs} ms`, yes(x.p99Ms < GOALS.reactionP99Ms), `${x.stateTableP50Ms} ms`, `${x.ownCodeP50Ms} / ${x.ownCodeP99Ms} ms`, `${x.excludedSimP50Ms} ms`, `${x.simCallsBefore} / ${x.stateTableCallsBefore}`, String(x.stateTableRoundTripsBefore)]),
      ]),
    );
  }
  if (r.mitigation) {
    out.push('', `4. Time to mitigate per drill scenario (simulated time) vs the runbook's manual estimate and the AWS-native mechanism (failover after the promotion, goal: <= ${GOALS.failoverPostPromotionSeconds}s)${loadNote(r, 'mitigation')}`);
    out.push(
      formatTable([
        ['scenario', 'runbook', 'drill', 'time to mitigate', 'after promotion', 'manual', 'ours / manual', 'AWS-native', 'native', 'ours (same basis)', 'ours / native'],
        ...r.mitigation.map((m) => [
          m.scenario,
          m.runbook,
          m.passed ? 'PASS' : 'FAIL',
          m.timeToMitigateSeconds === undefined ? 'not mitigated' : minutes(m.timeToMitigateSeconds),
          m.postPromotionSeconds === undefined ? '-' : `${minutes(m.postPromotionSeconds)} (${yes(m.postPromotionSeconds <= GOALS.failoverPostPromotionSeconds)})`,
          `${m.manualSeconds[0] / 60}-${m.manualSeconds[1] / 60} min`,
          m.ratioToManual ? `${m.ratioToManual[0].toFixed(2)}-${m.ratioToManual[1].toFixed(2)}` : '-',
          m.native?.mechanism ?? '-',
          m.native ? minutes(m.native.seconds) : '-',
          m.native ? minutes(m.native.oursSeconds) : '-',
          m.native ? m.native.ratio.toFixed(2) : '-',
        ]),
      ]),
    );
    for (const s of r.mitigationSkipped ?? []) out.push(`skipped (invalid scenario file): ${s}`);
  }
  if (r.storm) {
    const s = r.storm;
    out.push('', `5. Alarm storm: ${s.events} events for ${s.incidents} incidents (goal: ${GOALS.stormExecutions} executions started)${loadNote(r, 'storm')}`);
    out.push(
      formatTable([
        ['executions started', 'joined (same name)', 'intake outcomes', 'AWS calls / event', 'region / table', 'mutating calls', 'events / s / process', 'wall'],
        [
          `${s.executionsStarted} (${yes(s.executionsStarted === GOALS.stormExecutions)})`,
          String(s.executionsJoined),
          Object.entries(s.outcomes).map(([k, v]) => `${k} ${v}`).join(', '),
          String(s.awsCallsPerEvent),
          `${s.regionCallsPerEvent} / ${s.stateTableCallsPerEvent}`,
          String(s.mutatingCalls),
          String(s.eventsPerSecond),
          `${s.wallMs} ms`,
        ],
      ]),
    );
  }
  for (const e of r.errors) out.push('', `NOT MEASURED: ${e}`);
  out.push('', 'Assumptions:', ...r.assumptions.map((a) => `- ${a}`));
  return out.join('\n');
}

export async function benchMain(argv: string[]): Promise<number> {
  let opts: Options;
  try {
    opts = parseArgs(argv);
  } catch (err) {
    console.error(`${err instanceof Error ? err.message : String(err)}\nusage: npm run bench -- [--json] [--runs N] [--events N] [--warmup N] [--only ${SECTIONS.join(',')}]`);
    return 2;
  }
  const result = await run(opts, (line) => process.stderr.write(`${line}\n`));
  console.log(opts.json ? JSON.stringify(result, null, 2) : formatResult(result));
  return result.errors.length > 0 ? 1 : 0;
}

if (require.main === module) {
  benchMain(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      console.error(err instanceof Error ? (err.stack ?? err.message) : String(err));
      process.exitCode = 1;
    },
  );
}
