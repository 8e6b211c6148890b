// Replays every shared case of tests/cases/ through the module's public API and compares the
// result, converted to the canonical JSON form (the stored documents), with `expected`, or the
// error's code and [field, rule] list with `expected_error`. An operation this file does not
// know fails the run: when an engine adds `billing.*` cases, the binding must expose them.
import { test, after } from 'node:test'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import * as eb from '../index.mjs'

const casesDir = fileURLToPath(new URL('../../tests/cases/', import.meta.url))

function caseFiles(dir) {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const path = join(dir, name)
      if (statSync(path).isDirectory()) return caseFiles(path)
      return name.endsWith('.json') ? [path] : []
    })
}

// A JS number cannot keep a JSON number's digits (`28.50` becomes 28.5), so the case files
// are read keeping every number's text, and documents reach the binding as JSON text (which
// the core reads digit for digit, like the Rust replayer); other inputs become plain values.
const NUMBER = '\u0000number:'
const token = /("(?:[^"\\]|\\.)*")|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)/g

function readLossless(text) {
  return JSON.parse(text.replace(token, (m, string, number) => (string ? m : `"\\u0000number:${number}"`)))
}

function isNumberText(value) {
  return typeof value === 'string' && value.startsWith(NUMBER)
}

/** JSON text of a losslessly read value, every number written with its own digits. */
function jsonText(value) {
  return JSON.stringify(value).replace(/"\\u0000number:([^"]*)"/g, '$1')
}

/** A losslessly read value as a plain JS value (numbers as JS numbers). */
function plain(value) {
  if (isNumberText(value)) return Number(value.slice(NUMBER.length))
  if (Array.isArray(value)) return value.map(plain)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]))
  }
  return value
}

const records = {
  customer: [eb.parseCustomer, eb.customerDocument],
  product: [eb.parseProduct, eb.productDocument],
  subscription: [eb.parseSubscription, eb.subscriptionDocument],
  order: [eb.parseOrder, eb.orderDocument],
  delivery: [eb.parseDelivery, eb.deliveryDocument],
  payment: [eb.parsePayment, eb.paymentDocument],
}

/** An order outcome in its canonical stored form. */
function orderOutcome(outcome) {
  return {
    effect: outcome.effect,
    order: eb.orderDocument(outcome.order),
    deliveries: outcome.deliveries.map(eb.deliveryDocument),
    audit: outcome.audit.map(eb.auditDocument),
  }
}

/** The error as the cases write it, the same shape as the Rust replayer's `error_json`. */
function problemError(field, rule) {
  return Object.assign(new Error(`${field} (${rule})`), {
    code: 'VALIDATION_FAILED',
    problems: [{ field, rule }],
  })
}

const documentInputs = ['document', 'subscription', 'order']

/** The case input with documents kept lossless (for `jsonText`) and the rest made plain. */
function plainExceptDocuments(input) {
  return Object.fromEntries(
    Object.entries(input).map(([k, v]) => [k, documentInputs.includes(k) ? v : plain(v)]),
  )
}


/** Keys of a case value (snake_case, as the core's serde writes them) made camelCase. */
function camel(value) {
  if (Array.isArray(value)) return value.map(camel)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replace(/_([a-z0-9])/g, (_, c) => c.toUpperCase()), camel(v)]),
    )
  }
  return value
}

/** Keys of a binding result made snake_case again, to compare with the case. */
function snake(value) {
  if (Array.isArray(value)) return value.map(snake)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), snake(v)]),
    )
  }
  return value
}

/** A programme built by applying the case's `steps` in order, like tests/loyalty.rs. */
function loyaltyProgram({ config, steps }) {
  const program = new eb.LoyaltyProgram(config === undefined ? undefined : camel(config))
  for (const step of steps ?? []) {
    if ('event' in step) program.apply(camel(step.event))
    else if ('redeem' in step) program.redeem(camel(step.redeem))
    else if ('expire' in step) program.expire(step.expire)
    else if ('review' in step) program.monthlyReview(step.review)
    else throw problemError('steps', 'type')
  }
  return program
}

const loyaltyOperations = {
  'loyalty.replay': (input) => {
    const member = loyaltyProgram(input).member(input.customer_id)
    if (member === null) throw problemError('customer_id', 'type')
    return {
      balance: member.balance,
      tier: member.tier,
      entries: member.entries.map(({ key, kind, points }) => ({ key, kind, points })),
      tier_changes: member.tierHistory.map(({ from, to, cause }) => ({ from, to, cause })),
      badges: member.badges.map(({ code }) => code),
    }
  },
  'loyalty.redeem': (input) => {
    const program = loyaltyProgram(input)
    const { redemption } = program.redeem(camel(input.request))
    return {
      redemption: snake(redemption),
      balance: program.member(input.request.customer_id)?.balance ?? null,
    }
  },
  'loyalty.preview_redemption': ({ balance, bill_charges }) =>
    snake(eb.LoyaltyProgram.preview(balance, bill_charges)),
  'loyalty.leaderboards': (input) => {
    const boards = loyaltyProgram(input).leaderboards(input.now, input.top)
    return {
      all_time: snake(boards.allTime),
      by_tier: Object.fromEntries(Object.entries(boards.byTier).map(([tier, b]) => [tier, snake(b)])),
      this_week: snake(boards.thisWeek),
    }
  },
}
/** The error as the cases write it. */
function errorJson(err) {
  return { code: err.code, problems: (err.problems ?? []).map(({ field, rule }) => ({ field, rule })) }
}

/** A customer's state, dates, timeline and intents, as tests/activation.rs writes them. */
function activationOutput(customer) {
  return {
    state: customer.state,
    dates: snake(customer.dates),
    timeline: snake(customer.timeline),
    intents: customer.intents().map(({ template, variables, at }) => ({ template, variables, at })),
  }
}

// Billing, activation and churn inputs that hold record documents reach the binding as the
// JSON text of the case input (numbers kept digit for digit, extra keys ignored by the core's
// reader), like the Rust replayer's serde read of the whole input.
const engineOperations = {
  'billing.compute_bill': (input, raw) =>
    snake(eb.computeBill(jsonText(raw), input.customer_id, input.month, input.config)),
  'billing.next_number': ({ series, bill_date, config }) =>
    snake(eb.nextBillNumber(series, bill_date, config)),
  'activation.replay': ({ history, now, config }) =>
    activationOutput(new eb.CustomerActivation(history, now, config)),
  'activation.record': ({ history, now, config, arrivals, sweep_at }) => {
    const customer = new eb.CustomerActivation(history, now, config)
    const recorded = arrivals.map((event) => {
      try {
        return snake(customer.record(event))
      } catch (err) {
        return { error: errorJson(err) }
      }
    })
    customer.sweep(sweep_at)
    return { ...activationOutput(customer), recorded }
  },
  'activation.backfill': ({ now, config }, raw) => {
    const records = jsonText(raw)
    return {
      ...activationOutput(eb.CustomerActivation.backfill(records, now, config)),
      events: snake(eb.backfillEvents(records, config)),
    }
  },
  'activation.cohort_retention': ({ customers, granularity, as_of }) =>
    snake(eb.cohortRetention(customers, granularity, as_of)),
  'churn.score': ({ input, config, now }) => snake(new eb.ChurnEngine(config).score(input, now)),
  'churn.rank': ({ customers, config, now }) => snake(new eb.ChurnEngine(config).rank(customers, now)),
  'churn.from_records': ({ now, window_days }, raw) =>
    snake(eb.churnInputFromRecords(jsonText(raw), now, window_days)),
}

const operations = {
  ...loyaltyOperations,
  ...engineOperations,
  'record.parse': ({ kind, document }) => {
    const [parse, toDocument] = records[plain(kind)] ?? []
    if (!parse) throw new Error(`unknown record kind ${kind}`)
    return toDocument(parse(jsonText(document)))
  },
  'phone.normalize': ({ phone }) => {
    const normalised = eb.normalizePhone(phone)
    if (normalised === null) throw problemError('phone', 'phone')
    return normalised
  },
  'schedule.due_between': ({ subscription, from, to }) =>
    eb.dueBetween(eb.parseSubscription(jsonText(subscription)), from, to),
  'lifecycle.dispatch': ({ order, actor }) =>
    orderOutcome(eb.dispatch(eb.parseOrder(jsonText(order)), actor)),
  'lifecycle.cancel': ({ order, actor }) =>
    orderOutcome(eb.cancel(eb.parseOrder(jsonText(order)), actor)),
  'lifecycle.confirm_delivery': ({ order, delivered, reason, actor }) =>
    orderOutcome(eb.confirmDelivery(eb.parseOrder(jsonText(order)), delivered, reason ?? null, actor)),
  'lifecycle.correct_delivery': ({ order, delivered, reason, actor }) =>
    orderOutcome(eb.correctDelivery(eb.parseOrder(jsonText(order)), delivered, reason, actor)),
}

const files = caseFiles(casesDir)
let replayed = 0

// A file holds one case or an array of cases.
const cases = files.flatMap((path) => {
  const text = readFileSync(path, 'utf8')
  const parsed = JSON.parse(text)
  const lossless = readLossless(text)
  const [all, inputs] = Array.isArray(parsed) ? [parsed, lossless.map((c) => c.input)] : [[parsed], [lossless.input]]
  return all.map((kase, i) => ({
    name: all.length > 1 ? `${relative(casesDir, path)}[${i}]` : relative(casesDir, path),
    kase,
    input: inputs[i],
  }))
})

test('the shared cases exist', () => {
  assert.ok(cases.length > 0, `no cases in ${casesDir}`)
})

// Engines whose operations this binding does not expose yet (issue 10 lists them): their cases
// are reported as skipped with this reason, never passed. Remove an engine when it lands.
const PENDING_ENGINES = []
const pending = (operation) => PENDING_ENGINES.some((prefix) => operation.startsWith(prefix))

for (const { name, kase, input } of cases) {
  const skip = pending(kase.operation) && `${kase.operation}: engine not exposed in the Node binding yet`
  test(`case ${name}: ${kase.name}`, { skip }, () => {
    const run = operations[kase.operation]
    assert.ok(run, `unknown operation ${kase.operation}: the Node binding does not expose it yet`)
    assert.ok(
      ('expected' in kase) !== ('expected_error' in kase),
      'a case has exactly one of expected and expected_error',
    )
    let got
    try {
      got = { value: run(plainExceptDocuments(input), input) }
    } catch (err) {
      got = { error: errorJson(err) }
    }
    if ('expected' in kase) {
      assert.deepEqual(got, { value: kase.expected })
    } else {
      assert.deepEqual(got, { error: kase.expected_error })
    }
    replayed += 1
  })
}

after(() => {
  console.log(`${replayed} of ${cases.length} shared cases (${files.length} files) replayed through the Node binding`)
})
