// The synthetic month billed through the Node binding against the core's own `bill_month`, in
// one run.
//
//   (cd bindings-node && npm ci && npx napi build --platform --release)
//   node benches/node/billing.mjs [customers] [rounds]      (defaults: 2000 customers, 5 rounds)
//
// `benches/src/bin/node_billing_baseline.rs` writes the month (benches/src/synthetic.rs, the
// billing benchmark's generator) to a temporary file in the core's JSON form and times the
// core reading that text and billing it; this script then bills the same text through the
// binding: `billMonth(text)`, `billMonth(object)` (the text JSON.parse-d beforehand, as a host
// holding its records as objects would call it) and `billMonthAsync(text)`. Each is the best
// of `rounds`, wall clock, and the sum of the bills' totals must equal the core's.
import { execFileSync } from 'node:child_process'
import { createRequire } from 'node:module'
import { mkdtempSync, readFileSync } from 'node:fs'
import { tmpdir, cpus, loadavg } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('../../', import.meta.url))
const eb = createRequire(import.meta.url)(`${root}bindings-node/index.js`)

const customers = Number(process.argv[2] ?? 2000)
const rounds = Number(process.argv[3] ?? 5)
const file = join(mkdtempSync(join(tmpdir(), 'eb-billing-')), 'month.json')
const load = loadavg()[0]

const core = JSON.parse(
  execFileSync(
    'cargo',
    ['run', '--quiet', '--release', '-p', 'earlybird-benches', '--bin', 'node_billing_baseline', '--', `${customers}`, `${rounds}`, file],
    { cwd: root, encoding: 'utf8' },
  ),
)
const text = readFileSync(file, 'utf8')

/** Σ of the bills' totals in paise, exactly (BigInt), as a decimal string with two places. */
function totalOf(bills) {
  const paise = bills.reduce((sum, b) => sum + BigInt(b.total.replace('.', '')), 0n)
  const digits = paise.toString().padStart(3, '0')
  return `${digits.slice(0, -2)}.${digits.slice(-2)}`
}

async function best(run) {
  let ms = Infinity
  let bills
  for (let round = 0; round < rounds; round += 1) {
    const start = process.hrtime.bigint()
    bills = await run()
    ms = Math.min(ms, Number(process.hrtime.bigint() - start) / 1e6)
  }
  return { ms, bills }
}

const month = core.month
const fromText = await best(() => eb.billMonth(text, month))
const object = JSON.parse(text)
const fromObject = await best(() => eb.billMonth(object, month))
const async = await best(() => eb.billMonthAsync(text, month))

for (const [name, r] of [['billMonth(text)', fromText], ['billMonth(object)', fromObject], ['billMonthAsync(text)', async]]) {
  if (r.bills.length !== core.bills || totalOf(r.bills) !== core.total) {
    throw new Error(`${name}: ${r.bills.length} bills totalling ${totalOf(r.bills)}, the core ${core.bills} totalling ${core.total}`)
  }
}

const coreMs = core.read_ms + core.bill_ms
const perSecond = (ms) => Math.round(core.delivery_records / (ms / 1000)).toLocaleString('en-US')
console.log(`synthetic month ${month}: ${customers} customers, ${core.delivery_records} delivery records, ${core.bills} bills, total Rs ${core.total}, ${(core.bytes / 1e6).toFixed(1)} MB of JSON`)
console.log(`machine: ${cpus().length} vCPU, load average ${load.toFixed(1)} at the start, Node ${process.version}; best of ${rounds}`)
console.log('| side | ms | delivery records / s | / core (read + bill) |')
console.log('|---|---:|---:|---:|')
console.log(`| core: read the JSON text into a BillingInput | ${core.read_ms.toFixed(1)} | — | — |`)
console.log(`| core: bill_month | ${core.bill_ms.toFixed(1)} | ${perSecond(core.bill_ms)} | — |`)
console.log(`| core: read + bill_month | ${coreMs.toFixed(1)} | ${perSecond(coreMs)} | 1.00× |`)
for (const [name, r] of [['Node: billMonth(text)', fromText], ['Node: billMonth(object)', fromObject], ['Node: billMonthAsync(text)', async]]) {
  console.log(`| ${name} | ${r.ms.toFixed(1)} | ${perSecond(r.ms)} | ${(r.ms / coreMs).toFixed(2)}× |`)
}
