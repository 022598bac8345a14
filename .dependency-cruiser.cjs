// Imports run one way (DESIGN.md § Shape): each room may import its own layer and the layers below it, never one
// above. `npm run lint` runs this (scripts/lint-layers.ts); test/lint/layers.test.ts proves each rule fires.
//
// Every file at the root of shared/ belongs to exactly one layer here: a new root file that is in none fails lint
// (rule `shared-root-unassigned`) until someone decides where it sits.

/** Top to bottom. `paths` are regular expressions on the path from the repository root. */
const LAYERS = [
  { name: 'adapters', paths: ['^functions/', '^cli/', '^devhost/'] },
  {
    name: 'use-cases',
    // The composition root (app, runtime) and the use-cases: sweep, evaluate, on-demand, status, health, poison, the
    // sweep's platform watch (alert is notify/alert.ts); the report renderers they hand their results to.
    paths: ['^shared/(app|runtime|sweep|evaluate|evaluate-batch|ondemand|health|poison|platform-watch)\\.ts$', '^shared/report/'],
  },
  { name: 'notify', paths: ['^shared/notify/'] },
  { name: 'state', paths: ['^shared/state/'] },
  // platform.ts: the rules of platform notices (tbmon about itself), pure like the regression rules beside it.
  { name: 'regressions', paths: ['^shared/(regressions|platform)\\.ts$'] },
  // coverage/: pure like the checks — what evidence a host's checks could see, and the fleet's fixes per gap.
  { name: 'checks', paths: ['^shared/checks/', '^shared/coverage/', '^shared/suppressions\\.ts$'] },
  { name: 'evidence', paths: ['^shared/evidence/'] },
  // host-query.ts: the one parser of what a person types to name a host (id, name, URL); discovery looks it up.
  { name: 'discovery', paths: ['^shared/discovery/', '^shared/host-query\\.ts$'] },
  {
    name: 'base',
    // metrics, metrics-exporter: the points a run adds and the sink that exports them (I/O like azure and storage).
    // launcher: the TensorBoard launcher script as the app serves it and the CLI prints it.
    // arm-json: the readers of raw ARM JSON (network evidence, NSGs) every layer above shares.
    paths: ['^shared/nsg/', '^shared/(kql|config|azure|model|limit|retry-after|storage|schemas|notices|metrics|metrics-exporter|query-gate|launcher|arm-json)\\.ts$'],
  },
];

const group = (paths) => `(${paths.join('|')})`;

const upward = LAYERS.slice(1).map((layer, i) => {
  const above = LAYERS.slice(0, i + 1);
  const own = group(layer.paths);
  const higher = group(above.flatMap((l) => l.paths));
  return {
    name: `${layer.name}-imports-upward`,
    comment: `${layer.name} may import only itself and the layers below it (${LAYERS.slice(i + 2).map((l) => l.name).join(', ') || 'none'}), not ${above.map((l) => l.name).join(', ')}`,
    severity: 'error',
    from: { path: own },
    to: { path: higher },
  };
});

const PRODUCT = '^(shared|functions|cli|devhost)/';
const SHARED_ROOT_ASSIGNED = group(LAYERS.flatMap((l) => l.paths));

module.exports = {
  forbidden: [
    ...upward,
    {
      name: 'shared-root-unassigned',
      comment: 'every file at the root of shared/ is assigned to a layer in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^shared/[^/]+\\.ts$', pathNot: SHARED_ROOT_ASSIGNED },
      to: {},
    },
    {
      // The same for a root file that imports nothing: caught where it is imported.
      name: 'shared-root-unassigned',
      comment: 'every file at the root of shared/ is assigned to a layer in .dependency-cruiser.cjs',
      severity: 'error',
      from: {},
      to: { path: '^shared/[^/]+\\.ts$', pathNot: SHARED_ROOT_ASSIGNED },
    },
    {
      name: 'sandbox-in-product',
      comment: 'the product never imports sandbox/; the CLI loads it with require() behind --sandbox and for the demo',
      severity: 'error',
      from: { path: PRODUCT, pathNot: '^cli/(main|demo)\\.ts$' },
      to: { path: '^sandbox/' },
    },
    {
      name: 'sandbox-eagerly-in-cli',
      comment: 'cli/main.ts and cli/demo.ts load sandbox/ only with a lazy require(), never with a static import',
      severity: 'error',
      from: { path: '^cli/(main|demo)\\.ts$' },
      to: { path: '^sandbox/', dependencyTypesNot: ['require', 'type-only', 'type-import'] },
    },
    {
      name: 'test-in-product',
      comment: 'product code never imports tests or their fixtures',
      severity: 'error',
      from: { path: PRODUCT },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|\\.cache)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    moduleSystems: ['cjs', 'es6'],
  },
};
