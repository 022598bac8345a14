// The deploy package: what `azd deploy` zips and uploads (azure.yaml: `dist: .deploy`, `remoteBuild: false`, this
// script as the service's prepackage hook). A staging folder holding only what the Functions host runs — dist/,
// host.json, package.json without devDependencies, the lockfile, and node_modules pruned to production dependencies —
// instead of the project folder with its devDependencies (~475 MB against ~123 MB: eslint, typescript, azurite,
// playwright-core, the Kusto language service).
//
// azd zips the `dist` folder of a function service (Azure/azure-dev cli/azd/pkg/project/framework_service_node.go:
// Package uses the `dist` output path; service_target_functionapp.go zips it) and, with remoteBuild false, keeps its
// node_modules (project_utils.go: node_modules is excluded by default only for a remote build). A remote build would
// need the TypeScript sources and tsconfig in the package, which .funcignore leaves out; an explicit local build is
// what runs here and in CI the same way.
//
//   node scripts/stage-deploy.mjs [--out DIR] [--no-build] [--dist DIR]   (--dist: take an existing build from DIR)
//
// node_modules is hard-linked from the project's where the file system allows (copied otherwise), then pruned with
// npm's own resolver (`npm prune --omit=dev`, offline): nothing is downloaded, and the result is what the lockfile
// says production needs.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, copyFileSync, lstatSync, readlinkSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

function usage(message) {
  process.stderr.write(`stage-deploy: ${message}\nusage: node scripts/stage-deploy.mjs [--out DIR] [--no-build] [--dist DIR]\n`);
  process.exit(2);
}

const args = process.argv.slice(2);
let out = path.join(root, '.deploy');
let build = true;
let dist = path.join(root, 'dist');
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--out') {
    if (!args[i + 1]) usage('--out needs a directory');
    out = path.resolve(args[++i]);
  } else if (args[i] === '--dist') {
    if (!args[i + 1]) usage('--dist needs a directory');
    dist = path.resolve(args[++i]);
    build = false;
  } else if (args[i] === '--no-build') build = false;
  else usage(`unknown argument ${JSON.stringify(args[i])}`);
}
if (out === root || root.startsWith(out + path.sep)) usage('--out must not be the project folder or one of its parents');

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const run = (cmd, argv, cwd) => execFileSync(cmd, argv, { cwd, stdio: ['ignore', 'inherit', 'inherit'], shell: process.platform === 'win32' });

if (build) run(npm, ['run', 'build'], root);
if (!existsSync(path.join(dist, 'functions'))) usage(`${dist}/functions is missing: run \`npm run build\` first (or drop --no-build)`);
if (!existsSync(path.join(root, 'node_modules'))) usage('node_modules is missing: run `npm ci` first');

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// The host loads package.json "main" (dist/functions/*.js); tbmon's CLI is not part of the app.
cpSync(dist, path.join(out, 'dist'), { recursive: true, filter: (src) => !src.endsWith('.built') });
copyFileSync(path.join(root, 'host.json'), path.join(out, 'host.json'));
// GET /api/launcher serves this script byte for byte (shared/launcher.ts finds it upwards from dist/shared/).
mkdirSync(path.join(out, 'scripts'), { recursive: true });
copyFileSync(path.join(root, 'scripts', 'tensorboard-launch.sh'), path.join(out, 'scripts', 'tensorboard-launch.sh'));
copyFileSync(path.join(root, 'package-lock.json'), path.join(out, 'package-lock.json'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
const deployed = { name: pkg.name, version: pkg.version, private: true, license: pkg.license, main: pkg.main, engines: pkg.engines, dependencies: pkg.dependencies, devDependencies: pkg.devDependencies };
writeFileSync(path.join(out, 'package.json'), JSON.stringify(deployed, null, 2) + '\n');

/**
 * Hard links (no extra space, fast) where the file system allows; copies where it does not. Files npm may rewrite
 * (package.json, the hidden lockfile) are always copied, so pruning the staged tree never writes into the project's.
 */
function linkTree(from, to) {
  mkdirSync(to, { recursive: true });
  for (const name of readdirSync(from)) {
    const src = path.join(from, name);
    const dst = path.join(to, name);
    const st = lstatSync(src);
    if (st.isSymbolicLink()) symlinkSync(readlinkSync(src), dst);
    else if (st.isDirectory()) linkTree(src, dst);
    else if (name === 'package.json' || name.startsWith('.')) copyFileSync(src, dst);
    else {
      try {
        linkSync(src, dst);
      } catch {
        copyFileSync(src, dst);
      }
    }
  }
}
linkTree(path.join(root, 'node_modules'), path.join(out, 'node_modules'));
// npm's own resolver decides what production needs; offline, no lifecycle scripts, no changes to the project.
run(npm, ['prune', '--omit=dev', '--offline', '--ignore-scripts', '--no-audit', '--no-fund', '--loglevel=error'], out);
rmSync(path.join(out, 'node_modules', '.bin'), { recursive: true, force: true });
/** Scope folders (@eslint, @kusto, …) that pruning emptied. */
function removeEmptyDirs(dir) {
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (lstatSync(p).isDirectory() && name.startsWith('@')) {
      if (readdirSync(p).length === 0) rmSync(p, { recursive: true });
    }
  }
}
removeEmptyDirs(path.join(out, 'node_modules'));
rmSync(path.join(out, 'node_modules', '.cache'), { recursive: true, force: true });

function size(p) {
  const st = statSync(p);
  if (!st.isDirectory()) return st.size;
  let total = 0;
  for (const name of readdirSync(p)) total += size(path.join(p, name));
  return total;
}
const mb = (n) => `${(n / 1024 / 1024).toFixed(1)} MB`;
process.stdout.write(`stage-deploy: ${out.startsWith(root + path.sep) ? path.relative(root, out) : out}: ${mb(size(out))} (node_modules ${mb(size(path.join(out, 'node_modules')))}, dist ${mb(size(path.join(out, 'dist')))})\n`);
