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

const operations = {
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

test('the shared cases exist', () => {
  assert.ok(files.length > 0, `no case files in ${casesDir}`)
})

for (const path of files) {
  const name = relative(casesDir, path)
  const text = readFileSync(path, 'utf8')
  const kase = JSON.parse(text)
  const { input } = readLossless(text)
  test(`case ${name}: ${kase.name}`, () => {
    const run = operations[kase.operation]
    assert.ok(run, `unknown operation ${kase.operation}: the Node binding does not expose it yet`)
    assert.ok(
      ('expected' in kase) !== ('expected_error' in kase),
      'a case has exactly one of expected and expected_error',
    )
    let got
    try {
      got = { value: run(plainExceptDocuments(input)) }
    } catch (err) {
      got = {
        error: {
          code: err.code,
          problems: (err.problems ?? []).map(({ field, rule }) => ({ field, rule })),
        },
      }
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
  console.log(`${replayed} of ${files.length} shared cases replayed through the Node binding`)
})
