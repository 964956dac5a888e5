/**
 * Bundle size and cold start of every packaged function.
 *
 * The packages are the ones `sls package` builds (serverless-esbuild, the deployed
 * settings). Cold start = time to load the handler module in a fresh Node process (the
 * module-scope work Lambda's init phase pays: parsing the bundle, creating clients), median
 * of repeated runs, the function and its baseline interleaved. The baseline is a bundle built with the same esbuild settings that only
 * imports the same AWS SDK clients the function's bundle contains: the ratio is what our
 * own code costs on top of the SDK. A workflow's baseline also imports the durable execution
 * SDK's entry point (withDurableExecution): a durable function must load it by definition.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { build, type Plugin } from 'esbuild';
import { parse as parseYaml } from 'yaml';
import { RUNBOOK_FUNCTIONS } from '../handlers/shared/contract';

export const DURABLE_SDK = '@aws/durable-execution-sdk-js';

/** What a function's baseline bundle imports: its AWS SDK clients, plus the durable SDK for a workflow. */
export type BaselineKind = 'sdk-clients' | 'sdk-clients+durable-sdk';

export interface BundleFigures {
  function: string;
  kind: 'intake' | 'workflow';
  handler: string;
  baselineKind: BaselineKind;
  /** The durable execution SDK is among the bundle's inputs (esbuild metafile): must be false for every intake. */
  durableSdkInBundle: boolean;
  zippedBytes: number;
  unzippedBytes: number;
  coldStartMedianMs: number;
  baselineMedianMs: number;
  ratio: number;
  /** Fastest load of each side and their ratio: less sensitive to other processes on a busy machine. */
  coldStartMinMs: number;
  baselineMinMs: number;
  ratioOfMins: number;
  /** Fresh processes per side (medians of this many loads). */
  runs: number;
  sdkClients: string[];
}

const ROOT = join(__dirname, '..');

function dirSize(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    total += entry.isDirectory() ? dirSize(p) : statSync(p).size;
  }
  return total;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

/**
 * Loads `file` in a fresh node process once; returns the load time in ms (require of the
 * bundle until the handler export is there: what Lambda's init phase pays on top of
 * starting Node, which both sides of the ratio pay alike and is left out).
 */
export function loadOnce(file: string, exportName: string): number {
  const script = `const t=process.hrtime.bigint();const m=require(${JSON.stringify(file)});if(typeof m[${JSON.stringify(exportName)}]!=='function')throw new Error('missing export ${exportName}');process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6));`;
  const env: NodeJS.ProcessEnv = { ...process.env, AWS_REGION: 'us-east-1', NODE_NO_WARNINGS: '1' };
  delete env.NODE_OPTIONS; // no loader (tsx) in the measured process
  const out = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', env });
  if (out.status !== 0) throw new Error(`loading ${file} failed: ${out.stderr}`);
  return Number(out.stdout);
}

/** serverless.yml's custom.esbuild, its plugins (a module path there) included: baselines are built like the functions. */
function esbuildSettings(): { minify: boolean; keepNames: boolean; target: string; platform: 'node'; format: 'cjs'; mainFields?: string[]; plugins?: Plugin[] } {
  const yml = parseYaml(readFileSync(join(ROOT, 'serverless.yml'), 'utf8')) as { custom?: { esbuild?: Record<string, unknown> } };
  const e = yml.custom?.esbuild ?? {};
  const mainFields = Array.isArray(e.mainFields) ? e.mainFields.map(String) : undefined;
  const plugins = typeof e.plugins === 'string' ? (require(join(ROOT, e.plugins)) as Plugin[]) : undefined;
  return { minify: e.minify !== false, keepNames: e.keepNames === true, target: String(e.target ?? 'node22'), platform: 'node', format: 'cjs', ...(mainFields ? { mainFields } : {}), ...(plugins ? { plugins } : {}) };
}

/** The @aws-sdk/client-* packages a handler's bundle includes, and whether the durable SDK is in it (esbuild's metafile). */
async function bundleInputsOf(entry: string): Promise<{ clients: string[]; durableSdk: boolean }> {
  const result = await build({ ...esbuildSettings(), entryPoints: [entry], bundle: true, write: false, metafile: true, logLevel: 'silent', outdir: tmpdir() });
  const clients = new Set<string>();
  let durableSdk = false;
  for (const input of Object.keys(result.metafile.inputs)) {
    const m = /node_modules\/(@aws-sdk\/client-[a-z0-9-]+)\//.exec(input);
    if (m) clients.add(m[1]!);
    if (input.includes(`node_modules/${DURABLE_SDK}/`)) durableSdk = true;
  }
  return { clients: [...clients].sort(), durableSdk };
}

/** package -> client class, from the registration modules (adapters/aws/sdk/<name>.ts). */
function clientClassNames(): Map<string, string> {
  const dir = join(ROOT, 'adapters', 'aws', 'sdk');
  const names = new Map<string, string>();
  for (const file of readdirSync(dir)) {
    const m = /import \{ (\w+Client) \} from '(@aws-sdk\/client-[a-z0-9-]+)'/.exec(readFileSync(join(dir, file), 'utf8'));
    if (m) names.set(m[2]!, m[1]!);
  }
  return names;
}

/**
 * The baseline imports each client CLASS with ES module syntax, built with the same esbuild
 * settings: what any function using those clients must load at the least (a CommonJS
 * `require` of the package would pull every command in and flatter our bundles).
 */
async function baselineBundle(clients: string[], kind: BaselineKind, dir: string): Promise<string> {
  const classes = clientClassNames();
  const entry = join(dir, 'baseline-entry.mjs');
  const lines = clients.map((c, i) => {
    const cls = classes.get(c);
    if (!cls) throw new Error(`no client class known for ${c} (adapters/aws/sdk)`);
    return `import { ${cls} as C${i} } from ${JSON.stringify(c)};`;
  });
  const used = clients.map((_, i) => `C${i}`);
  if (kind === 'sdk-clients+durable-sdk') {
    lines.push(`import { withDurableExecution as D } from ${JSON.stringify(DURABLE_SDK)};`);
    used.push('D');
  }
  writeFileSync(entry, `${lines.join('\n')}\nexport const handler = async () => [${used.join(', ')}].length;\n`);
  const outfile = join(dir, 'baseline.js');
  await build({ ...esbuildSettings(), entryPoints: [entry], bundle: true, outfile, logLevel: 'silent', nodePaths: [join(ROOT, 'node_modules')] });
  return outfile;
}

export function packageFunctions(outDir: string): void {
  const env: NodeJS.ProcessEnv = { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', SLS_DEPRECATION_DISABLE: '*' };
  for (const k of Object.keys(env)) if (k.startsWith('AWS_')) delete env[k];
  execFileSync('npx', ['sls', 'package', '--package', outDir], { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'inherit'] });
}

export async function measureBundles(runs: number, log: (line: string) => void): Promise<BundleFigures[]> {
  const work = mkdtempSync(join(tmpdir(), 'autopilot-bench-'));
  try {
    const pkgDir = join(work, 'package');
    log('packaging with `sls package` (the deployed esbuild settings)...');
    packageFunctions(pkgDir);
    const functions = Object.values(RUNBOOK_FUNCTIONS).flatMap((f) => [
      { name: f.intake, handler: f.intakeHandler, kind: 'intake' as const },
      ...(f.workflow && f.workflowHandler ? [{ name: f.workflow, handler: f.workflowHandler, kind: 'workflow' as const }] : []),
    ]);
    interface Prepared { name: string; handler: string; kind: 'intake' | 'workflow'; zip: string; unzipped: string; file: string; exportName: string; clients: string[]; durableSdk: boolean; baselineKind: BaselineKind; baseline: string }
    const baselines = new Map<string, string>();
    const prepared: Prepared[] = [];
    for (const fn of functions) {
      const zip = join(pkgDir, `${fn.name}.zip`);
      if (!existsSync(zip)) throw new Error(`${relative(ROOT, zip)} not produced by sls package`);
      const unzipped = join(work, fn.name);
      execFileSync('unzip', ['-q', '-o', zip, '-d', unzipped]);
      const cut = fn.handler.lastIndexOf('.');
      const modulePath = fn.handler.slice(0, cut);
      const { clients, durableSdk } = await bundleInputsOf(join(ROOT, `${modulePath}.ts`));
      const baselineKind: BaselineKind = fn.kind === 'workflow' ? 'sdk-clients+durable-sdk' : 'sdk-clients';
      const key = `${baselineKind}:${clients.join(',')}`;
      if (!baselines.has(key)) baselines.set(key, await baselineBundle(clients, baselineKind, mkdtempSync(join(work, 'baseline-'))));
      prepared.push({ ...fn, zip, unzipped, file: join(unzipped, `${modulePath}.js`), exportName: fn.handler.slice(cut + 1), clients, durableSdk, baselineKind, baseline: baselines.get(key)! });
    }
    // Interleaved rounds (function, its baseline, next function...): a load spike from other
    // processes on the machine hits both sides of a ratio alike instead of one of them.
    log(`loading each bundle and its baseline in ${runs} fresh processes each, interleaved...`);
    const cold = prepared.map(() => [] as number[]);
    const base = prepared.map(() => [] as number[]);
    for (let r = 0; r < runs; r++) {
      prepared.forEach((p, i) => {
        if (r % 2 === 0) {
          cold[i]!.push(loadOnce(p.file, p.exportName));
          base[i]!.push(loadOnce(p.baseline, 'handler'));
        } else {
          base[i]!.push(loadOnce(p.baseline, 'handler'));
          cold[i]!.push(loadOnce(p.file, p.exportName));
        }
      });
    }
    return prepared.map((p, i) => {
      const c = median(cold[i]!);
      const b = median(base[i]!);
      log(`  ${p.name}: ${(statSync(p.zip).size / 1024).toFixed(0)} KB zipped, load ${c.toFixed(1)} ms vs baseline ${b.toFixed(1)} ms`);
      return {
        function: p.name,
        kind: p.kind,
        handler: p.handler,
        baselineKind: p.baselineKind,
        durableSdkInBundle: p.durableSdk,
        zippedBytes: statSync(p.zip).size,
        unzippedBytes: dirSize(p.unzipped),
        coldStartMedianMs: round(c),
        baselineMedianMs: round(b),
        ratio: round(c / b),
        coldStartMinMs: round(Math.min(...cold[i]!)),
        baselineMinMs: round(Math.min(...base[i]!)),
        ratioOfMins: round(Math.min(...cold[i]!) / Math.min(...base[i]!)),
        runs,
        sdkClients: p.clients.map((c) => c.replace('@aws-sdk/client-', '')),
      };
    });
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function round(n: number): number {
  return Math.round(n * 100) / 100;
}
