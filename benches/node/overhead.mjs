// Per-call cost of the Node binding against the core's own cost of the same work.
//
//   (cd bindings-node && npm ci && npx napi build --platform --release)
//   node benches/node/overhead.mjs
//
// Runs the Rust baseline (`cargo run --release -p earlybird-benches --bin node_baseline`) in
// the same run and prints both side by side with their ratio. Each figure is the best of 40
// short rounds: on a machine shared with other builds the best round is the least disturbed.
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const eb = createRequire(import.meta.url)(`${root}bindings-node/index.js`)

const orderText = `{"id": "ORD_1", "customer_id": "CUST_001",
    "items": [{"product_id": "MILK_500ML", "quantity": 2, "unit_price": "28.50"},
              {"product_id": "CURD_400G", "quantity": "1", "unit_price": 45}],
    "delivery_date": "2026-01-15", "status": "PENDING",
    "created_at": {"$date": "2026-01-14T16:45:00Z"}}`
const orderObject = JSON.parse(orderText)

/** Nanoseconds per call of `f`: the best of 40 rounds of `n` calls. */
function perCall(n, f) {
  let best = Infinity
  for (let round = 0; round < 40; round += 1) {
    const start = process.hrtime.bigint()
    for (let i = 0; i < n; i += 1) f()
    best = Math.min(best, Number(process.hrtime.bigint() - start) / n)
  }
  return best
}

const core = JSON.parse(
  execFileSync('cargo', ['run', '--quiet', '--release', '-p', 'earlybird-benches', '--bin', 'node_baseline'], {
    cwd: root,
    encoding: 'utf8',
  }),
)

const order = eb.parseOrder(orderObject)
const rows = [
  ['version() (bare call)', perCall(20000, () => eb.version()), null],
  ['JSON.stringify(order object) (plain JS)', perCall(2000, () => JSON.stringify(orderObject)), null],
  ['normalizePhone', perCall(20000, () => eb.normalizePhone('098450 12345')), core.normalize_phone_ns],
  ['parseOrder(object)', perCall(2000, () => eb.parseOrder(orderObject)), core.order_from_document_ns],
  ['parseOrder(JSON text)', perCall(2000, () => eb.parseOrder(orderText)), core.order_from_json_ns],
  ['documentProblems(object), valid', perCall(2000, () => eb.documentProblems('order', orderObject)), core.order_from_document_ns],
  ['documentProblems(JSON text), valid', perCall(2000, () => eb.documentProblems('order', orderText)), core.order_from_json_ns],
  ['orderDocument(order)', perCall(2000, () => eb.orderDocument(order)), core.order_from_document_ns],
]

console.log(`node ${process.version}, ${eb.version()}`)
console.log('| call | Node binding (ns/call) | core (ns/call) | binding / core |')
console.log('|---|---:|---:|---:|')
for (const [name, node, rust] of rows) {
  const ratio = rust ? `${(node / rust).toFixed(1)}×` : '—'
  console.log(`| ${name} | ${node.toFixed(0)} | ${rust ?? '—'} | ${ratio} |`)
}

const batch = `[${Array(20000).fill(orderText).join(',')}]`
const objects = JSON.parse(batch)
for (const [name, input] of [['JSON text', batch], ['objects', objects]]) {
  let best = Infinity
  for (let round = 0; round < 5; round += 1) {
    const start = process.hrtime.bigint()
    eb.parseMany('order', input)
    best = Math.min(best, Number(process.hrtime.bigint() - start) / 1e6)
  }
  console.log(`parseMany, 20 000 orders as ${name}: ${best.toFixed(0)} ms, ${((best * 1e6) / 20000).toFixed(0)} ns/order (best of 5)`)
}
