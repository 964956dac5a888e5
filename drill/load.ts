/**
 * Loading a scenario file: parse (JSON or YAML), validate (errors name the path), then
 * resolve everything that can be resolved before running: the config (defaultConfig +
 * overrides), the world (baselineWorld() + overrides, or a full world), the sample events,
 * and the timeline expanded into single deliveries in time order. Anything wrong here is
 * a ScenarioError: the drill exits 2 without running anything.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { basename, extname, isAbsolute, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { defaultConfig, type AutopilotConfig } from '../domain/config';
import { baselineWorld, mergeWorld } from '../test/simulated-region/baseline';
import type { WorldSpec } from '../test/simulated-region/spec';
import { validateWorld } from '../test/simulated-region/validate';
import { durationSeconds } from './duration';
import { deepMerge } from './merge';
import { ScenarioError, type EventStep, type Scenario, type TimelineStep } from './scenario';
import { scenarioProblems } from './validate';

/** Repository root: samples are named relative to it ('events/samples/x.json'). */
export const REPO_ROOT = resolve(__dirname, '..');
export const SCENARIOS_DIR = join(__dirname, 'scenarios');

/** One thing to do at one simulated time (a storm step becomes `repeat` of these). */
export type PlannedStep =
  | { at: number; index: number; step: EventStep; event: Record<string, unknown>; copy: number }
  | { at: number; index: number; step: Exclude<TimelineStep, EventStep> };

export interface PreparedScenario {
  scenario: Scenario;
  file: string;
  config: AutopilotConfig;
  world: WorldSpec;
  /** Epoch ms of T+0. */
  startMs: number;
  /** Deliveries in time order (stable for equal times: file order, then copy number). */
  plan: PlannedStep[];
}

/** The shipped scenarios, sorted by file name. */
export function defaultScenarioFiles(dir = SCENARIOS_DIR): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => ['.json', '.yaml', '.yml'].includes(extname(f)))
    .sort()
    .map((f) => join(dir, f));
}

/** The shipped scenario file of that name (drill/scenarios/<name>.json|.yaml|.yml), if there is one. */
export function scenarioFileByName(name: string, dir = SCENARIOS_DIR): string | undefined {
  return defaultScenarioFiles(dir).find((f) => basename(f).replace(/\.(json|ya?ml)$/i, '') === name);
}

export function parseScenarioText(text: string, file: string): unknown {
  const ext = extname(file).toLowerCase();
  try {
    return ext === '.yaml' || ext === '.yml' ? parseYaml(text) : JSON.parse(text);
  } catch (err) {
    throw new ScenarioError(file, [`(root): not valid ${ext === '.json' ? 'JSON' : 'YAML'}: ${err instanceof Error ? err.message : String(err)}`]);
  }
}

export function loadScenarioFile(file: string): PreparedScenario {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ScenarioError(file, [`(root): cannot read the file: ${err instanceof Error ? err.message : String(err)}`]);
  }
  return prepareScenario(parseScenarioText(text, file), file);
}

/**
 * The scenarios a CLI run asked for (all shipped ones when none are named), or the error
 * messages that make it exit 2: every invalid file is reported, not only the first.
 */
export function loadScenarioFiles(files: string[]): { prepared: PreparedScenario[] } | { errors: string[] } {
  const chosen = files.length > 0 ? files : defaultScenarioFiles();
  if (chosen.length === 0) return { errors: ['no scenario files found in drill/scenarios'] };
  const prepared: PreparedScenario[] = [];
  const errors: string[] = [];
  for (const file of chosen) {
    try {
      prepared.push(loadScenarioFile(file));
    } catch (err) {
      if (!(err instanceof ScenarioError)) throw err;
      errors.push(err.message);
    }
  }
  return errors.length > 0 ? { errors } : { prepared };
}

/** Validates and resolves a scenario document. `file` names it in errors. */
export function prepareScenario(raw: unknown, file: string): PreparedScenario {
  const problems = scenarioProblems(raw);
  if (problems.length > 0) throw new ScenarioError(file, problems);
  const scenario = raw as Scenario;

  const config = deepMerge(defaultConfig, scenario.config);
  const world: WorldSpec = scenario.fullWorld ? (structuredClone(scenario.fullWorld) as unknown as WorldSpec) : mergeWorld(baselineWorld(), scenario.world);
  if (scenario.startAt) world.start = new Date(Date.parse(scenario.startAt)).toISOString();
  if (scenario.faults) world.faults = [...(world.faults ?? []), ...(scenario.faults as unknown as NonNullable<WorldSpec['faults']>)];
  const worldProblems = validateWorld(world);
  const resolveProblems: string[] = [...worldProblems.map((w) => `${scenario.fullWorld ? 'fullWorld' : 'world'} (as merged): ${w}`)];
  const startMs = Date.parse(world.start);

  const plan: PlannedStep[] = [];
  scenario.timeline.forEach((step, index) => {
    const at = startMs + durationSeconds(step.at) * 1000;
    if (step.type !== 'event') {
      plan.push({ at, index, step });
      return;
    }
    const event = resolveEvent(step, `timeline[${index}].event`, resolveProblems);
    if (!event) return;
    const every = step.every === undefined ? 0 : durationSeconds(step.every) * 1000;
    for (let copy = 0; copy < (step.repeat ?? 1); copy++) plan.push({ at: at + copy * every, index, step, event, copy });
  });
  if (resolveProblems.length > 0) throw new ScenarioError(file, resolveProblems);
  plan.sort((a, b) => a.at - b.at || a.index - b.index || copyOf(a) - copyOf(b));

  const expectedName = basename(file).replace(/\.(json|ya?ml)$/i, '');
  if (expectedName !== scenario.name && !file.startsWith('<')) {
    throw new ScenarioError(file, [`name: "${scenario.name}" differs from the file name "${expectedName}" (the report is drill-reports/<name>.md; keep them equal)`]);
  }
  return { scenario, file, config, world, startMs, plan };
}

function copyOf(p: PlannedStep): number {
  return 'copy' in p ? p.copy : 0;
}

function resolveEvent(step: EventStep, path: string, problems: string[]): Record<string, unknown> | undefined {
  const spec = step.event;
  if (!('sample' in spec) || typeof spec.sample !== 'string') return structuredClone(spec as Record<string, unknown>);
  const samplePath = isAbsolute(spec.sample) ? spec.sample : join(REPO_ROOT, spec.sample);
  let sample: unknown;
  try {
    sample = JSON.parse(readFileSync(samplePath, 'utf8'));
  } catch (err) {
    problems.push(`${path}.sample: cannot load ${spec.sample}: ${err instanceof Error ? err.message : String(err)}`);
    return undefined;
  }
  return deepMerge(sample as Record<string, unknown>, spec.patch);
}
