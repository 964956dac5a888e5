/**
 * Least privilege proved by the drill: every shipped scenario runs through the real handlers
 * against the simulated region, which authorises each call against the role of the function
 * making it (intake and workflow apart) and answers AccessDenied as AWS would. So:
 *   - no scenario is denied anything (each call a function makes is granted to that function);
 *   - nothing granted goes unused: each grant is used by some scenario, or is named in
 *     GRANTS_USED_OUTSIDE_OUR_CODE with the reason the drill cannot see it used.
 */
import { loadConfig } from '../config/load';
import { runDrill } from '../drill/drill';
import { defaultScenarioFiles, loadScenarioFiles } from '../drill/load';
import type { ScenarioRun } from '../drill/run-types';
import { OPERATOR } from '../drill/engine';
import { functionPolicies } from './iam-policy';
import { deployedFunctions } from './functions';
import { DURABLE_INTAKE_RUNTIME_GRANTS, grantUse, GRANTS_USED_OUTSIDE_OUR_CODE, type GrantUse } from './iam-usage';

const endpoint = process.env.DYNAMO_ENDPOINT;
if (!endpoint) throw new Error('DYNAMO_ENDPOINT is not set: run through jest (test/support/global-setup.ts starts dynalite)');

let runs: ScenarioRun[] = [];
let failures: string[] = [];
let use: GrantUse[] = [];

beforeAll(async () => {
  const loaded = loadScenarioFiles(defaultScenarioFiles());
  if ('errors' in loaded) throw new Error(loaded.errors.join('\n'));
  const outcomes = await runDrill(loaded.prepared, { dynamoEndpoint: endpoint, reportsRoot: false });
  runs = outcomes.map((o) => o.run);
  failures = outcomes.flatMap((o) => o.failures.map((f) => `${o.run.prepared.scenario.name}: ${f}`));
  const fns = deployedFunctions('dev');
  const durableIntakes = new Set(fns.filter((f) => f.kind === 'intake' && fns.some((w) => w.runbook === f.runbook && w.kind === 'workflow')).map((f) => f.key));
  use = grantUse(functionPolicies(loadConfig('dev'), { account: '123456789012', tableName: 'unused' }), runs, durableIntakes);
}, 600_000);

describe('IAM in every drill scenario', () => {
  it('runs every shipped scenario with IAM on, and none is denied anything', () => {
    expect(runs.length).toBeGreaterThan(20);
    expect(runs.filter((r) => (r.authorizations ?? []).length > 0).length).toBeGreaterThan(20);
    const denied = runs.flatMap((r) => (r.authorizations ?? []).flatMap((a) => a.decisions.filter((d) => !d.allowed).map((d) => `${r.prepared.scenario.name}: ${a.caller} ${d.action} ${d.resource}`)));
    expect(denied).toEqual([]);
    expect(failures.filter((f) => f.includes('AccessDenied'))).toEqual([]);
  });

  it('attributes every call to the function that made it, intake and workflow apart', () => {
    const callers = new Set(runs.flatMap((r) => (r.authorizations ?? []).map((a) => a.caller)));
    callers.delete(OPERATOR);
    expect(callers.has(undefined)).toBe(false);
    for (const fn of ['databaseFailover', 'databaseFailoverWorkflow', 'rollbackDeployment', 'rollbackDeploymentWorkflow', 'scaleEcs', 'scaleEcsWorkflow', 'investigate5xx', 'restoreFromBackup', 'restoreFromBackupWorkflow', 'operatorRequest', 'scheduledPreflight']) {
      expect({ fn, seen: callers.has(fn) }).toEqual({ fn, seen: true });
    }
  });

  it('leaves no grant unused: unused-grant count 0, each exception named with its reason', () => {
    const unused = use.flatMap((u) => u.unused.map((a) => `${u.fn}: ${a}`));
    expect(unused).toEqual([]);
    for (const u of use) for (const a of u.excepted) expect(GRANTS_USED_OUTSIDE_OUR_CODE[a] ?? DURABLE_INTAKE_RUNTIME_GRANTS[a]).toMatch(/https:\/\/docs\.aws\.amazon\.com\/|adapters\/|handlers\//);
    // The count, for the README: exceptions are few and each is named.
    expect(use.reduce((n, u) => n + u.unused.length, 0)).toBe(0);
  });
});
