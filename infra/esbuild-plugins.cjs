'use strict';
/**
 * esbuild plugins of the deployed bundles (serverless.yml `custom.esbuild.plugins`; the bench
 * builds its baselines with them too). Each removes code a bundle carries but never runs,
 * in a pattern esbuild cannot tree-shake by itself. Neither changes what runs: when a plugin
 * cannot prove that, it leaves the import alone (and says so in a build warning), so the
 * bundle is only bigger, never different. Measured with esbuild's metafile (README,
 * Performance 1-2).
 *
 * 1. durableLambdaCommands: the durable execution SDK loads `@aws-sdk/client-lambda` with a
 *    dynamic `import()` and uses three names of it (LambdaClient and its two checkpoint
 *    commands). A dynamic import keeps the whole module namespace: every Lambda command, the
 *    aggregated `Lambda` client, waiters and paginators (~50 KB minified, ~14 KB zipped per
 *    workflow). The SDK's import is answered with a module exporting exactly the names the
 *    SDK's code mentions, re-exported from the client's own files: the same classes.
 *
 * 2. sdkPackageVersion: every @aws-sdk package imports its whole package.json (dependency
 *    lists, scripts...) to read one field, `version` (the user agent). A default JSON import
 *    cannot be tree-shaken (17-27 KB minified per bundle); the manifest is given with its
 *    version only, when the importing file reads nothing else from it.
 *
 * 3. lambdaEnvironmentCredentials: every client's runtime config imports the Node default
 *    credential chain (@aws-sdk/credential-provider-node): environment, then shared files, SSO,
 *    process, web identity, container and instance metadata, with their STS / SSO / OIDC clients
 *    (~100 KB minified, ~30 KB zipped per bundle). In Lambda the first link always answers: the
 *    runtime puts the execution role's keys in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 *    AWS_SESSION_TOKEN (https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime),
 *    and sets no AWS_PROFILE that would make the chain skip it. A deployed bundle's default
 *    provider is that first link, fromEnv (@aws-sdk/credential-provider-env): the same keys,
 *    the rest of the chain never loaded. Only bundles: the CLI and the drill run the sources.
 */
const fs = require('node:fs');
const path = require('node:path');

const DURABLE_SDK_DIR = `${path.sep}node_modules${path.sep}@aws${path.sep}durable-execution-sdk-js${path.sep}`;
const DURABLE_NAMESPACE = 'durable-lambda-commands';

/**
 * The @aws-sdk/client-lambda names the durable SDK's source (one file) may use: every
 * `...Command` and `LambdaClient` it mentions, and every property it reads off the loaded
 * module (`module.X`). Conservative on purpose: a name in a comment counts too.
 */
function lambdaNamesUsedBy(source) {
  const names = new Set();
  for (const m of source.matchAll(/\b([A-Z][A-Za-z0-9]*Command|LambdaClient)\b/g)) names.add(m[1]);
  for (const m of source.matchAll(/\b(?:module|namespace)\.([A-Za-z_$][\w$]*)/g)) if (m[1] !== 'default') names.add(m[1]);
  return [...names].sort();
}

/** The client's own file for a name (dist-es layout: LambdaClient.js, commands/<Name>.js), or undefined. */
function fileOf(clientDir, name) {
  const file = name === 'LambdaClient' ? path.join(clientDir, 'LambdaClient.js') : path.join(clientDir, 'commands', `${name}.js`);
  return fs.existsSync(file) ? file : undefined;
}

const durableLambdaCommands = {
  name: 'durable-lambda-commands',
  setup(build) {
    const sources = new Map();
    build.onResolve({ filter: /^@aws-sdk\/client-lambda$/ }, async (args) => {
      if (!args.importer.includes(DURABLE_SDK_DIR) || args.pluginData?.durableLambda) return undefined;
      let source = sources.get(args.importer);
      if (source === undefined) {
        source = fs.readFileSync(args.importer, 'utf8');
        sources.set(args.importer, source);
      }
      const resolved = await build.resolve('@aws-sdk/client-lambda', { resolveDir: args.resolveDir, kind: args.kind, pluginData: { durableLambda: true } });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      const clientDir = path.dirname(resolved.path);
      const names = lambdaNamesUsedBy(source);
      const missing = names.filter((n) => !fileOf(clientDir, n));
      if (names.length === 0 || missing.length > 0) {
        return {
          path: resolved.path,
          warnings: [{ text: `durable-lambda-commands: left ${path.relative(process.cwd(), args.importer)}'s import of @aws-sdk/client-lambda whole (${names.length === 0 ? 'no Lambda name found in its source' : `no client file for ${missing.join(', ')}`}): the bundle keeps every Lambda command` }],
        };
      }
      return { path: args.importer, namespace: DURABLE_NAMESPACE, pluginData: { names, clientDir } };
    });
    build.onLoad({ filter: /.*/, namespace: DURABLE_NAMESPACE }, (args) => {
      const { names, clientDir } = args.pluginData;
      const contents = names.map((n) => `export { ${n} } from ${JSON.stringify(fileOf(clientDir, n))};`).join('\n');
      return { contents, loader: 'js', resolveDir: clientDir };
    });
  },
};

const SDK_PACKAGE_DIR = `${path.sep}node_modules${path.sep}@aws-sdk${path.sep}`;
const SDK_PACKAGE_VERSION = 'sdk-package-version';

/**
 * The binding `file` imports `spec` (a relative package.json) under, if every use of it in
 * the file is `<binding>.version`; undefined otherwise (another import form, another field,
 * the object passed around).
 */
function readsOnlyVersion(source, spec) {
  const escaped = spec.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const imports = [...source.matchAll(new RegExp(`import\\s+([A-Za-z_$][\\w$]*)\\s+from\\s+["']${escaped}["']`, 'g'))];
  if (imports.length !== 1) return undefined;
  const binding = imports[0][1];
  const uses = [...source.matchAll(new RegExp(`(?<![\\w$.])${binding.replace(/\$/g, '\\$')}(?![\\w$])(\\.[\\w$]+)?`, 'g'))];
  // The import itself, then only `.version` reads.
  return uses.length >= 2 && uses.slice(1).every((u) => u[1] === '.version') ? binding : undefined;
}

const sdkPackageVersion = {
  name: 'sdk-package-version',
  setup(build) {
    build.onResolve({ filter: /(^|\/)package\.json$/ }, (args) => {
      if (!args.importer.includes(SDK_PACKAGE_DIR) || !args.path.startsWith('.')) return undefined;
      const file = path.resolve(args.resolveDir, args.path);
      if (!readsOnlyVersion(fs.readFileSync(args.importer, 'utf8'), args.path)) return undefined;
      return { path: file, namespace: SDK_PACKAGE_VERSION };
    });
    build.onLoad({ filter: /.*/, namespace: SDK_PACKAGE_VERSION }, (args) => {
      const { version } = JSON.parse(fs.readFileSync(args.path, 'utf8'));
      if (typeof version !== 'string') return { errors: [{ text: `sdk-package-version: ${args.path} has no version` }] };
      return { contents: JSON.stringify({ version }), loader: 'json' };
    });
  },
};

const ENV_CREDENTIALS = 'lambda-environment-credentials';

const lambdaEnvironmentCredentials = {
  name: 'lambda-environment-credentials',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, (args) => {
      if (!args.importer.includes(SDK_PACKAGE_DIR)) return undefined;
      return { path: args.importer, namespace: ENV_CREDENTIALS };
    });
    build.onLoad({ filter: /.*/, namespace: ENV_CREDENTIALS }, (args) => ({
      // The name the clients import, answered by the chain's first link (same signature: init -> provider).
      contents: "export { fromEnv as defaultProvider } from '@aws-sdk/credential-provider-env';",
      resolveDir: path.dirname(args.path),
      loader: 'js',
    }));
  },
};

module.exports = [durableLambdaCommands, sdkPackageVersion, lambdaEnvironmentCredentials];
module.exports.lambdaNamesUsedBy = lambdaNamesUsedBy;
module.exports.readsOnlyVersion = readsOnlyVersion;
