// `solve` through the Node binding against the core's own `routing::solve` on the same
// problem, in one run.
//
//   (cd bindings-node && npm ci && npx napi build --platform --release)
//   node benches/node/routing.mjs
//
// The problem (120 stops, 3 delivery persons, seed 5, 3 000 iterations, no time budget, so
// the search is the same bit for bit on both sides) is written to a temporary file in the
// core's snake_case JSON and solved by `benches/src/bin/node_routing_baseline.rs`; the Node
// side solves the camelCase object. Best of 5 solves on each side.
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { writeFileSync, mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const eb = createRequire(import.meta.url)(`${root}bindings-node/index.js`)

const n = 120
const problem = {
  depot: { lat: 12.9716, lon: 77.5946 },
  stops: Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    location: { lat: 12.94 + ((i * 37) % 61) / 1000, lon: 77.56 + ((i * 53) % 67) / 1000 },
    serviceMinutes: 1.5,
    demand: [1 + (i % 3)],
  })),
  vehicles: ['ravi', 'asha', 'imran'].map((id) => ({ id, capacity: [100], shiftStart: 300, shiftEnd: 480 })),
  options: { seed: 5, iterationLimit: 3000, timeBudgetMs: null, threads: 1 },
}
const snake = (value) =>
  Array.isArray(value)
    ? value.map(snake)
    : value !== null && typeof value === 'object'
      ? Object.fromEntries(Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(v)]))
      : value
const file = join(mkdtempSync(join(tmpdir(), 'eb-routing-')), 'problem.json')
writeFileSync(file, JSON.stringify(snake(problem)))

const rounds = 5
const core = JSON.parse(
  execFileSync('cargo', ['run', '--quiet', '--release', '-p', 'earlybird-benches', '--bin', 'node_routing_baseline', '--', file, `${rounds}`], {
    cwd: root,
    encoding: 'utf8',
  }),
)

async function best(solve) {
  let ms = Infinity
  let plan
  for (let round = 0; round < rounds; round += 1) {
    const start = process.hrtime.bigint()
    plan = await solve()
    ms = Math.min(ms, Number(process.hrtime.bigint() - start) / 1e6)
  }
  return { ms, plan }
}

const sync = await best(() => eb.solve(problem))
const pooled = await best(() => eb.solveAsync(problem))
if (sync.plan.totalDistance !== core.total_distance || pooled.plan.totalDistance !== core.total_distance) {
  throw new Error(`different plans: core ${core.total_distance}, node ${sync.plan.totalDistance} / ${pooled.plan.totalDistance}`)
}
const row = (name, ms) => console.log(`| ${name} | ${ms.toFixed(1)} | ${core.solve_ms.toFixed(1)} | ${(ms / core.solve_ms).toFixed(2)}× |`)
console.log(`node ${process.version}, ${n} stops, ${problem.options.iterationLimit} iterations, same plan (${core.total_distance.toFixed(0)} m) on every side`)
console.log('| call | Node (ms) | core (ms) | Node / core |')
console.log('|---|---:|---:|---:|')
row('`solve(problem)`', sync.ms)
row('`await solveAsync(problem)`', pooled.ms)
