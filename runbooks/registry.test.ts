import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { defaultConfig, RUNBOOKS, type AutopilotConfig } from '../domain/config';
import type { RunbookIntake } from '../pipeline/intake';
import { ACTUATOR_GUARDRAILS, RUNBOOK_REGISTRY } from './registry';
import { eventRules } from './routing';

const ROOT = join(__dirname, '..');
const source = (file: string) => readFileSync(join(ROOT, file), 'utf8');
const camel = (id: string) => id.replace(/-([a-z0-9])/g, (_, c: string) => c.toUpperCase());
const tsFiles = (dir: string): string[] =>
  readdirSync(join(ROOT, dir)).flatMap((name) => {
    const path = `${dir}${dir.endsWith('/') ? '' : '/'}${name}`;
    if (statSync(join(ROOT, path)).isDirectory()) return tsFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.test.ts') ? [path] : [];
  });

/** Configurations that change which rules the builders emit (optional rules left out, more accounts). */
const TRIGGER_CONFIGS: Record<string, AutopilotConfig> = {
  default: defaultConfig,
  'no alarms, no CodeDeploy, no buckets': {
    ...defaultConfig,
    alarms: { ...defaultConfig.alarms, fiveXx: [], cpu: [], databaseDown: [] },
    codeDeploy: { ...defaultConfig.codeDeploy, applicationName: '', deploymentGroupName: '' },
    dependencies: { ...defaultConfig.dependencies, s3Buckets: [] },
  },
  'two accounts': { ...defaultConfig, accountIds: ['123456789012', '210987654321'] },
};

describe('the runbook registry', () => {
  it('has one entry per runbook, under its own id', () => {
    expect(Object.keys(RUNBOOK_REGISTRY).sort()).toEqual([...RUNBOOKS].sort());
    for (const [id, entry] of Object.entries(RUNBOOK_REGISTRY)) expect(entry.id).toBe(id);
  });

  it('names the triggers that deliver each runbook its events, and every deployed rule belongs to an entry', () => {
    const rules = eventRules(defaultConfig);
    const fromEntries = Object.values(RUNBOOK_REGISTRY).flatMap((entry) => entry.triggers(defaultConfig));
    expect(fromEntries.map((r) => r.name).sort()).toEqual(rules.map((r) => r.name).sort());
    for (const entry of Object.values(RUNBOOK_REGISTRY)) expect(entry.triggers(defaultConfig).length).toBeGreaterThan(0);
  });

  it.each(Object.entries(TRIGGER_CONFIGS))('every deployed rule (%s) names the runbook whose entry declares it, and each entry declares one once', (_name, config) => {
    const declaredBy = new Map<string, string[]>();
    for (const entry of Object.values(RUNBOOK_REGISTRY)) {
      for (const rule of entry.triggers(config)) declaredBy.set(rule.name, [...(declaredBy.get(rule.name) ?? []), entry.id]);
    }
    const rules = eventRules(config);
    expect(rules.length).toBeGreaterThan(0);
    for (const rule of rules) expect({ rule: rule.name, declaredBy: declaredBy.get(rule.name) }).toEqual({ rule: rule.name, declaredBy: [rule.runbook] });
    expect(rules.map((r) => r.name).sort()).toEqual([...declaredBy.keys()].sort());
  });

  it.each(RUNBOOKS)("%s: its triggers are its own domain's event-rules.ts builder", (id) => {
    const entry = RUNBOOK_REGISTRY[id];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const builders = require(join(ROOT, entry.domain, 'event-rules.ts')) as Record<string, unknown>;
    expect(Object.values(builders)).toContain(entry.triggers);
  });

  it.each(RUNBOOKS)('%s: its intake module exports the definition the pipeline runs, its decision comes from the runbook domain folder (intake-plan.ts), and its handler wires exactly that module', (id) => {
    const entry = RUNBOOK_REGISTRY[id];
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const intakeModule = require(join(ROOT, entry.intake)) as Record<string, RunbookIntake<unknown>>;
    const definition = intakeModule[`${camel(id)}IntakeDefinition`];
    expect(definition?.runbook).toBe(id);
    expect(typeof definition?.admit).toBe('function');
    expect(typeof definition?.readFacts).toBe('function');
    // The decision is the domain's, pure: the very function a module of the runbook's domain folder exports.
    const planModule = require(join(ROOT, entry.domain, 'intake-plan.ts')) as Record<string, unknown>;
    expect(Object.values(planModule)).toContain(definition?.decide);
    const handlerFile = `${entry.functions.intakeHandler.split('.')[0]}.ts`;
    expect(source(handlerFile)).toContain(`'../${entry.intake.replace(/\.ts$/, '')}'`);
  });

  it.each(RUNBOOKS)('%s: a workflow module exactly when a workflow function is deployed, wired by its handler', (id) => {
    const entry = RUNBOOK_REGISTRY[id];
    expect(entry.workflow !== undefined).toBe(entry.functions.workflow !== undefined);
    if (!entry.workflow || !entry.functions.workflowHandler) return;
    expect(source(`${entry.functions.workflowHandler.split('.')[0]}.ts`)).toContain(`'../${entry.workflow.replace(/\.ts$/, '')}'`);
  });

  it.each(RUNBOOKS)('%s: lists every guardrail its own code can refuse with (a new one is declared here, or this fails)', (id) => {
    const entry = RUNBOOK_REGISTRY[id];
    const files = [...tsFiles(entry.domain), entry.intake, ...(entry.workflow ? [entry.workflow] : [])];
    const named = new Set(files.flatMap((f) => [...source(f).matchAll(/guardrail: '([A-Za-z]+)'/g)].map((m) => m[1]!)));
    const declared = new Set<string>([...entry.guardrails, ...ACTUATOR_GUARDRAILS]);
    expect([...named].filter((g) => !declared.has(g))).toEqual([]);
    expect(entry.steps.length).toBeGreaterThan(0);
    expect(entry.pages.length).toBeGreaterThan(0);
  });
});
