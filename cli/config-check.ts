/**
 * `autopilot config check --stage X [--json]`: the merged configuration of a stage, its
 * difference from the defaults (the runbook's example estate), the fields that would leave a
 * deployed stack inert, and which optional features are on. Read-only: a file read, no AWS.
 * Exit codes: 0 deployable, 1 inert (sls package would refuse it), 2 invalid config or usage.
 */
import { differenceFromDefaults, inertFields, readStageFile } from '../config/adoption';
import { blueGreenConfigured, codeDeployConfigured } from '../domain/features';
import { stageConfigOrUsage } from './stage-arg';

const USAGE = 'usage: autopilot config check --stage <stage> [--json]';

export async function configCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub !== 'check') {
    console.error(USAGE);
    return 2;
  }
  const read = stageConfigOrUsage(rest, ['--json'], USAGE);
  if (read === 2) return 2;
  const { config } = read;
  const json = read.flags.has('--json');
  const stage = { value: read.stage };
  const { file, content } = readStageFile(stage.value);
  const difference = differenceFromDefaults(config);
  const inert = inertFields(content, config);
  const features = {
    codeDeploy: codeDeployConfigured(config),
    blueGreenListenerSwitch: blueGreenConfigured(config),
    elastiCache: config.dependencies.elastiCacheClusterIds.length > 0,
    s3Restore: config.dependencies.s3Buckets.length > 0,
  };
  if (json) {
    console.log(JSON.stringify({ stage: stage.value, file: content === undefined ? null : file, config, difference, inert, features }, null, 2));
    return inert.length > 0 ? 1 : 0;
  }
  const lines = [
    `stage ${stage.value}: ${content === undefined ? `no ${file} (defaults only)` : file}`,
    '',
    'merged configuration:',
    JSON.stringify(config, null, 2),
    '',
    `difference from the defaults (${difference.length} field(s)):`,
    ...(difference.length === 0 ? ['  none'] : difference.map((d) => `  ${d.field}: ${JSON.stringify(d.default)} -> ${JSON.stringify(d.value)}`)),
    '',
    'features (off when their configuration is empty):',
    ...Object.entries(features).map(([k, on]) => `  ${k}: ${on ? 'on' : 'off'}`),
    '',
    inert.length === 0
      ? 'deployable: every environment-specific field is your own or set explicitly in the stage file'
      : `NOT deployable: ${inert.length} field(s) still name the example estate or a placeholder:\n${inert.map((f) => `  ${f.field} = ${JSON.stringify(f.value)} (${f.why})`).join('\n')}`,
  ];
  console.log(lines.join('\n'));
  return inert.length > 0 ? 1 : 0;
}
