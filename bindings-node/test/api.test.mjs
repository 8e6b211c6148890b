// Every exported function, the error contract and the boundary conventions (decimal strings,
// YYYY-MM-DD dates, RFC 3339 instants, JS numbers in documents), through the ESM entry and
// the CommonJS one.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import * as eb from '../index.mjs'

const require = createRequire(import.meta.url)
const cjs = require('../index.js')

const actor = { id: 'DB_7', at: '2026-01-15T01:10:00Z' }

const orderDoc = () => ({
  id: 'ORD_1',
  customer_id: 'CUST_001',
  items: [
    { product_id: 'MILK_500ML', quantity: 2, unit_price: '28.50' },
    { product_id: 'CURD_400G', quantity: '1', unit_price: 45 },
  ],
  delivery_date: '2026-01-15',
  status: 'PENDING',
  created_at: { $date: '2026-01-14T16:45:00Z' },
})

const subscriptionDoc = () => ({
  id: 'SUB_1',
  customer_id: 'CUST_001',
  product_id: 'MILK_500ML',
  quantity: '1',
  schedule: { kind: 'weekdays', days: ['mon', 'THU'] },
  start_date: '2026-01-01',
  pauses: [{ from: '2026-01-08', to: '2026-01-08' }],
})

const productDoc = () => ({
  id: 'MILK_500ML',
  name: 'Milk 500 ml',
  prices: [
    { price: '28.00', effective_from: '2026-01-01' },
    { price: '30.00', effective_from: '2026-01-16' },
  ],
  gst_rates: [{ rate: '5', effective_from: '2026-01-01' }],
})

const customerDoc = () => ({
  id: 'CUST_001',
  name: 'Asha Rao',
  phone: '098450 12345',
  signup_date: '2026-01-02',
  lat: 12.9719,
})

const subscriptionDeliveryDoc = (delivered) => ({
  id: 'SUB_1@2026-01-15',
  customer_id: 'CUST_001',
  date: '2026-01-15',
  subscription_id: 'SUB_1',
  product_id: 'MILK_500ML',
  ordered_quantity: '2',
  delivered_quantity: delivered,
  status: delivered === '2' ? 'DELIVERED' : 'PARTIALLY_DELIVERED',
})

const paymentDoc = () => ({
  id: 'PAY_1',
  customer_id: 'CUST_001',
  amount: 250,
  method: 'upi',
  date: '2026-01-31',
})

/** Asserts `run` throws the binding's error shape with `code` and these [field, rule]s. */
function throwsCode(run, code, problems) {
  assert.throws(run, (err) => {
    assert.ok(err instanceof Error, 'an Error object')
    assert.equal(err.code, code, err.message)
    if (problems) {
      assert.deepEqual(
        err.problems.map(({ field, rule }) => [field, rule]),
        problems,
      )
    }
    return true
  })
}

test('require and import give the same functions, and index.d.ts declares exactly them', () => {
  const declared = [...readFileSync(new URL('../index.d.ts', import.meta.url), 'utf8').matchAll(
    /export declare (?:function|class) (\w+)/g,
  )].map((m) => m[1])
  const esm = Object.keys(eb).filter((k) => k !== 'default' && typeof eb[k] === 'function')
  const common = Object.keys(cjs).filter((k) => typeof cjs[k] === 'function' && !k.startsWith('__'))
  assert.deepEqual([...esm].sort(), [...declared].sort())
  assert.deepEqual([...common].sort(), [...declared].sort())
  for (const name of declared) assert.equal(eb[name], cjs[name], name)
})

test('version is the core crate version', () => {
  const cargo = readFileSync(new URL('../../Cargo.toml', import.meta.url), 'utf8')
  assert.equal(eb.version(), cargo.match(/^version = "(.*)"/m)[1])
})

test('every record kind parses to camelCase objects and back to its canonical document', () => {
  const cases = [
    [eb.parseCustomer, eb.customerDocument, customerDoc()],
    [eb.parseProduct, eb.productDocument, productDoc()],
    [eb.parseSubscription, eb.subscriptionDocument, subscriptionDoc()],
    [eb.parseOrder, eb.orderDocument, orderDoc()],
    [eb.parseDelivery, eb.deliveryDocument, subscriptionDeliveryDoc('2')],
    [eb.parsePayment, eb.paymentDocument, paymentDoc()],
  ]
  for (const [parse, toDocument, doc] of cases) {
    const record = parse(doc)
    const canonical = toDocument(record)
    assert.deepEqual(parse(canonical), record, 'the canonical document reads back the same')
    assert.deepEqual(parse(JSON.stringify(doc)), record, 'JSON text reads the same')
  }
  const order = eb.parseOrder(orderDoc())
  assert.equal(order.customerId, 'CUST_001')
  assert.equal(order.items[1].unitPrice, '45')
  assert.equal(order.createdAt, '2026-01-14T16:45:00Z')
  const customer = eb.parseCustomer(customerDoc())
  assert.equal(customer.phone, '+919845012345')
  assert.equal(customer.signupDate, '2026-01-02')
  assert.equal(customer.lat, 12.9719)
  assert.equal(customer.email, undefined)
  assert.deepEqual(eb.parseSubscription(subscriptionDoc()).schedule, { kind: 'weekdays', days: ['mon', 'thu'] })
  assert.equal(eb.parsePayment(paymentDoc()).amount, '250')
  assert.equal(eb.parseDelivery(subscriptionDeliveryDoc('2')).subscriptionId, 'SUB_1')
})

/** A canonical document with camelCase keys (weekday keys of a custom schedule are data). */
function camel(value, key = '') {
  if (Array.isArray(value)) return value.map((v) => camel(v))
  if (value === null || typeof value !== 'object' || key === 'quantities') return value
  return Object.fromEntries(
    Object.entries(value).map(([k, v]) => [k.replace(/_(\w)/g, (_, c) => c.toUpperCase()), camel(v, k)]),
  )
}

test('a typed record holds exactly its canonical document, keys in camelCase', () => {
  const custom = { ...subscriptionDoc(), schedule: { kind: 'custom', quantities: { sat: '2', MON: 1.5 } } }
  const withTimes = { ...subscriptionDeliveryDoc('2'), confirmed_at: '2026-01-15T06:40:00.5+05:30', reason: 'x' }
  for (const [parse, toDocument, doc] of [
    [eb.parseCustomer, eb.customerDocument, { ...customerDoc(), email: 'a@b.in', referred_by: 'CUST_000' }],
    [eb.parseProduct, eb.productDocument, productDoc()],
    [eb.parseSubscription, eb.subscriptionDocument, custom],
    [eb.parseOrder, eb.orderDocument, { ...orderDoc(), status: 'DELIVERED' }],
    [eb.parseDelivery, eb.deliveryDocument, withTimes],
    [eb.parsePayment, eb.paymentDocument, { ...paymentDoc(), reference: 'UPI/1' }],
  ]) {
    const record = parse(doc)
    assert.deepEqual(record, camel(toDocument(record)))
  }
  const out = eb.confirmDelivery(eb.dispatch(eb.parseOrder(orderDoc()), actor).order, ['1', '1'], 'short', actor)
  assert.deepEqual(out.audit.map((a) => camel({ ...eb.auditDocument(a), before: null, after: null })),
    out.audit.map((a) => ({ ...a, before: null, after: null })))
})

test('JS numbers in documents are read by their shortest text; JSON text keeps every digit', () => {
  const withPrice = (price) => {
    const doc = orderDoc()
    doc.items[0].unit_price = price
    return doc
  }
  // 28.50 is the same JS number as 28.5: the scale is gone before the binding sees it.
  assert.equal(eb.parseOrder(withPrice(28.5)).items[0].unitPrice, '28.5')
  assert.equal(eb.parseOrder(withPrice(0.1)).items[0].unitPrice, '0.1')
  assert.equal(eb.parseOrder(withPrice(3e9)).items[0].unitPrice, '3000000000')
  // 0.1 + 0.2 is 0.30000000000000004 as a double: the core refuses it (more than paise).
  throwsCode(() => eb.parseOrder(withPrice(0.1 + 0.2)), 'VALIDATION_FAILED', [['items[0].unit_price', 'scale']])
  const text = JSON.stringify(withPrice('X')).replace('"X"', '28.50')
  assert.equal(eb.parseOrder(text).items[0].unitPrice, '28.50')
  throwsCode(() => eb.parseOrder('{"id": '), 'VALIDATION_FAILED', [['$', 'type']])
})

test('documents are written by JSON.stringify: Dates become instants, BigInt and cycles are refused', () => {
  const doc = { ...orderDoc(), created_at: new Date('2026-01-14T16:45:00Z'), note: undefined }
  assert.equal(eb.parseOrder(doc).createdAt, '2026-01-14T16:45:00Z')
  throwsCode(() => eb.parseOrder({ ...orderDoc(), id: 1n }), 'VALIDATION_FAILED', [['document', 'type']])
  const cyclic = orderDoc()
  cyclic.self = cyclic
  throwsCode(() => eb.parseOrder(cyclic), 'VALIDATION_FAILED', [['document', 'type']])
  throwsCode(() => eb.parseOrder(undefined), 'VALIDATION_FAILED', [['document', 'required']])
  throwsCode(() => eb.parseOrder(null), 'VALIDATION_FAILED', [['$', 'object']])
  throwsCode(() => eb.parseMany('order', [1n]), 'VALIDATION_FAILED', [['documents', 'type']])
})

test('money and quantities in typed arguments must be decimal strings', () => {
  const order = eb.dispatch(eb.parseOrder(orderDoc()), actor).order
  throwsCode(() => eb.confirmDelivery(order, [2, '1'], null, actor), 'VALIDATION_FAILED', [['delivered[0]', 'type']])
  throwsCode(() => eb.confirmDelivery(order, ['2', 'one'], null, actor), 'VALIDATION_FAILED', [['delivered[1]', 'decimal']])
  const numeric = { ...order, items: [{ ...order.items[0], unitPrice: 28.5 }, order.items[1]] }
  throwsCode(() => eb.dispatch(numeric, actor), 'VALIDATION_FAILED', [['order', 'type']])
  throwsCode(() => eb.orderDocument(numeric), 'VALIDATION_FAILED', [['record', 'type']])
})

test('dates are YYYY-MM-DD strings and instants RFC 3339 strings written in UTC', () => {
  const sub = eb.parseSubscription(subscriptionDoc())
  throwsCode(() => eb.dueBetween(sub, '2026-02-30', '2026-03-01'), 'VALIDATION_FAILED', [['from', 'date']])
  throwsCode(() => eb.dueBetween(sub, new Date('2026-01-01'), '2026-03-01'), 'VALIDATION_FAILED', [['from', 'type']])
  throwsCode(() => eb.isPausedOn(sub, '15/01/2026'), 'VALIDATION_FAILED', [['date', 'date']])
  const ist = { id: 'DB_7', at: '2026-01-15T06:40:00+05:30' }
  const out = eb.dispatch(eb.parseOrder(orderDoc()), ist)
  assert.equal(out.audit[0].at, '2026-01-15T01:10:00Z')
  throwsCode(() => eb.dispatch(eb.parseOrder(orderDoc()), { id: 'x', at: '2026-01-15 01:10' }), 'VALIDATION_FAILED', [['actor.at', 'instant']])
  throwsCode(() => eb.dispatch(eb.parseOrder(orderDoc()), { id: 'x' }), 'VALIDATION_FAILED', [['actor', 'type']])
})

test('validation errors are Errors with a stable code, a name and every field problem', () => {
  assert.throws(
    () => eb.parseOrder({ id: 'ORD_9', status: 'SHIPPED', items: [] }),
    (err) => {
      assert.ok(err instanceof Error)
      assert.equal(err.name, 'ValidationError')
      assert.equal(err.code, 'VALIDATION_FAILED')
      assert.match(err.message, /4 invalid field/)
      assert.deepEqual(err.problems[1], {
        field: 'status',
        rule: 'unknown_value',
        value: 'SHIPPED',
        message: 'must be one of PENDING, OUT_FOR_DELIVERY, DELIVERED, PARTIALLY_DELIVERED, CANCELLED',
      })
      assert.deepEqual(
        err.problems.map((p) => p.field),
        ['customer_id', 'status', 'items', 'delivery_date'],
      )
      return true
    },
  )
})

test('lifecycle errors carry their code and no field problems', () => {
  const order = eb.parseOrder({ ...orderDoc(), status: 'DELIVERED' })
  assert.throws(
    () => eb.cancel(order, actor),
    { name: 'LifecycleError', code: 'LIFECYCLE_INVALID_TRANSITION', problems: [] },
  )
  const cancelled = eb.cancel(eb.parseOrder(orderDoc()), actor).order
  throwsCode(() => eb.confirmDelivery(cancelled, ['1', '1'], null, actor), 'LIFECYCLE_ORDER_CANCELLED', [])
  throwsCode(() => eb.correctDelivery(eb.parseOrder(orderDoc()), ['1', '1'], 'x', actor), 'LIFECYCLE_NOT_CONFIRMED', [])
  throwsCode(() => eb.correctDelivery(order, ['2', '1'], 'x', actor), 'LIFECYCLE_NOTHING_TO_CORRECT', [])
  throwsCode(() => eb.correctDelivery(order, ['0', '0'], 'x', actor), 'LIFECYCLE_CORRECTION_TO_NOTHING', [])
})

test('a Rust panic becomes an INTERNAL_PANIC error and the process carries on', () => {
  assert.throws(() => cjs.__panicForTest(), { name: 'InternalError', code: 'INTERNAL_PANIC' })
  assert.equal(eb.normalizePhone('9845012345'), '+919845012345')
})

test('order lifecycle: dispatch, confirm, idempotent repeat, correct, audit documents', () => {
  const pending = eb.parseOrder(orderDoc())
  const out = eb.dispatch(pending, actor)
  assert.equal(out.effect, 'changed')
  assert.equal(out.order.status, 'OUT_FOR_DELIVERY')
  assert.equal(eb.dispatch(out.order, actor).effect, 'unchanged')
  const failed = eb.confirmDelivery(out.order, ['0', '0'], 'door locked', actor)
  assert.equal(failed.effect, 'delivery_failed')
  assert.equal(failed.audit[0].reason, 'door locked')
  const done = eb.confirmDelivery(out.order, ['2', '1'], undefined, actor)
  assert.equal(done.order.status, 'DELIVERED')
  assert.deepEqual(done.deliveries.map((d) => [d.id, d.orderId, d.deliveredQuantity]), [
    ['ORD_1#0', 'ORD_1', '2'],
    ['ORD_1#1', 'ORD_1', '1'],
  ])
  assert.equal(eb.confirmDelivery(done.order, ['2', '1'], null, actor).effect, 'unchanged')
  const fixed = eb.correctDelivery(done.order, ['1', '1'], 'one leaked', actor)
  assert.equal(fixed.order.status, 'PARTIALLY_DELIVERED')
  const audit = eb.auditDocument(fixed.audit[0])
  assert.equal(audit.entity_id, 'ORD_1')
  assert.equal(audit.action, 'delivery_corrected')
  assert.equal(audit.before.items[0].delivered_quantity, '2')
  assert.equal(audit.after.items[0].delivered_quantity, '1')
  assert.equal(audit.reason, 'one leaked')
  const created = eb.auditDocument({ ...fixed.audit[0], before: undefined })
  assert.equal(created.before, null)
  assert.equal(eb.cancel(pending, actor).order.status, 'CANCELLED')
})

test('subscription deliveries: record once, repeat, conflict, correct', () => {
  const first = eb.recordDelivery(null, eb.parseDelivery(subscriptionDeliveryDoc('2')), actor)
  assert.equal(first.effect, 'changed')
  assert.equal(first.delivery.confirmedAt, actor.at)
  assert.equal(first.audit[0].action, 'delivery_recorded')
  const stored = first.delivery
  assert.equal(eb.recordDelivery(stored, eb.parseDelivery(subscriptionDeliveryDoc('2')), actor).effect, 'unchanged')
  throwsCode(
    () => eb.recordDelivery(stored, eb.parseDelivery(subscriptionDeliveryDoc('1')), actor),
    'LIFECYCLE_CONFLICTING_CONFIRMATION',
    [],
  )
  const fixed = eb.correctRecordedDelivery(stored, eb.parseDelivery(subscriptionDeliveryDoc('1')), 'short', actor)
  assert.equal(fixed.delivery.status, 'PARTIALLY_DELIVERED')
  assert.equal(fixed.audit[0].reason, 'short')
})

test('schedules and prices on dates', () => {
  const sub = eb.parseSubscription(subscriptionDoc())
  assert.deepEqual(eb.dueBetween(sub, '2026-01-01', '2026-01-12'), [
    { date: '2026-01-01', quantity: '1' },
    { date: '2026-01-05', quantity: '1' },
    { date: '2026-01-12', quantity: '1' },
  ])
  assert.equal(eb.dueOn(sub, '2026-01-05'), '1')
  assert.equal(eb.dueOn(sub, '2026-01-06'), null)
  assert.equal(eb.isPausedOn(sub, '2026-01-08'), true)
  assert.equal(eb.runsOn(sub, '2025-12-31'), false)
  assert.equal(eb.runsOn(sub, '2026-01-08'), true)
  const milk = eb.parseProduct(productDoc())
  assert.equal(eb.priceOn(milk, '2026-01-15'), '28.00')
  assert.equal(eb.priceOn(milk, '2026-01-16'), '30.00')
  assert.equal(eb.priceOn(milk, '2025-12-31'), null)
  assert.equal(eb.gstRateOn(milk, '2026-01-15'), '5')
})

test('phones and e-mails', () => {
  assert.equal(eb.normalizePhone('+91 98450-12345'), '+919845012345')
  assert.equal(eb.normalizePhone('044 2345 6789'), null)
  assert.equal(eb.validEmail('asha@example.in'), true)
  assert.equal(eb.validEmail('asha@'), false)
  throwsCode(() => eb.normalizePhone(9845012345), 'VALIDATION_FAILED', [['raw', 'type']])
})

test('documentProblems lists every problem without throwing', () => {
  assert.deepEqual(eb.documentProblems('order', orderDoc()), [])
  assert.deepEqual(
    eb.documentProblems('payment', { ...paymentDoc(), amount: '10.005', method: 'cheque' }).map((p) => [p.field, p.rule]),
    [['amount', 'scale'], ['method', 'unknown_value']],
  )
  throwsCode(() => eb.documentProblems('invoice', {}), 'VALIDATION_FAILED', [['kind', 'unknown_value']])
})

test('validateDataset checks documents and the references between them', () => {
  const base = {
    customers: [customerDoc()],
    products: [productDoc(), { ...productDoc(), id: 'CURD_400G', name: 'Curd 400 g' }],
    subscriptions: [subscriptionDoc()],
    orders: [orderDoc()],
    payments: [paymentDoc()],
  }
  assert.equal(eb.validateDataset(base), undefined)
  assert.equal(eb.validateDataset({}), undefined)
  const orphan = { ...orderDoc(), id: 'ORD_2', customer_id: 'CUST_404' }
  throwsCode(
    () => eb.validateDataset({ ...base, orders: [orderDoc(), orphan, orderDoc()] }),
    'VALIDATION_FAILED',
    [['orders[2].id', 'duplicate'], ['orders[1].customer_id', 'unknown_reference']],
  )
  throwsCode(
    () => eb.validateDataset({ ...base, payments: [paymentDoc(), { ...paymentDoc(), method: 'cheque' }] }),
    'VALIDATION_FAILED',
    [['payments[1].method', 'unknown_value']],
  )
})

test('validateDatasetAsync resolves or rejects like validateDataset', async () => {
  const documents = { customers: [customerDoc()], payments: [{ ...paymentDoc(), customer_id: 'CUST_404' }] }
  await assert.rejects(eb.validateDatasetAsync(documents), {
    name: 'ValidationError',
    code: 'VALIDATION_FAILED',
    problems: [{
      field: 'payments[0].customer_id',
      rule: 'unknown_reference',
      value: 'CUST_404',
      message: 'refers to a record that does not exist',
    }],
  })
  assert.equal(await eb.validateDatasetAsync({ customers: [customerDoc()] }), undefined)
  assert.equal(await eb.validateDatasetAsync(JSON.stringify({ customers: [customerDoc()] })), undefined)
  await assert.rejects(eb.validateDatasetAsync({ invoices: [] }), { code: 'VALIDATION_FAILED' })
  throwsCode(() => eb.validateDataset({ invoices: [] }), 'VALIDATION_FAILED', [['documents', 'type']])
})

test('parseMany reads a batch, keeping going past refused documents', () => {
  const batch = eb.parseMany('order', [orderDoc(), { id: 'X' }, orderDoc()])
  assert.equal(batch.records.length, 3)
  assert.equal(batch.records[1], null)
  assert.equal(batch.records[2].id, 'ORD_1')
  assert.equal(batch.failures.length, 1)
  assert.equal(batch.failures[0].index, 1)
  assert.equal(batch.failures[0].code, 'VALIDATION_FAILED')
  assert.ok(batch.failures[0].problems.some((p) => p.field === 'customer_id'))
  const fromText = eb.parseMany('customer', JSON.stringify([customerDoc()]))
  assert.equal(fromText.records[0].phone, '+919845012345')
  throwsCode(() => eb.parseMany('order', 42), 'VALIDATION_FAILED', [['documents', 'type']])
  throwsCode(() => eb.parseMany('order', '[{'), 'VALIDATION_FAILED', [['documents', 'type']])
})

test('parseManyAsync resolves like parseMany and rejects with the same error shape', async () => {
  const documents = [orderDoc(), { id: 'X' }]
  assert.deepEqual(await eb.parseManyAsync('order', documents), eb.parseMany('order', documents))
  await assert.rejects(eb.parseManyAsync('invoice', []), {
    name: 'ValidationError',
    code: 'VALIDATION_FAILED',
    problems: [{ field: 'kind', rule: 'unknown_value', value: 'invoice', message: 'one of customer, product, subscription, order, delivery, payment' }],
  })
  await assert.rejects(eb.parseManyAsync('order', '[{'), { code: 'VALIDATION_FAILED' })
})

test('the event loop keeps running while parseManyAsync works', async () => {
  const doc = JSON.stringify(orderDoc())
  const text = `[${Array(20000).fill(doc).join(',')}]`
  let ticks = 0
  let settled = false
  let ticksWhilePending = 0
  const timer = setInterval(() => {
    ticks += 1
    if (!settled) ticksWhilePending += 1
  }, 1)
  try {
    const pending = eb.parseManyAsync('order', text)
    const batch = await pending
    settled = true
    assert.equal(batch.records.length, 20000)
    assert.equal(batch.failures.length, 0)
  } finally {
    clearInterval(timer)
  }
  // The JSON parsing and the reading of 20 000 documents run on the libuv pool: the 1 ms
  // timer fires while the Promise is pending. (The synchronous parseMany blocks it.)
  assert.ok(ticksWhilePending > 0, `timer fired ${ticks} times, ${ticksWhilePending} while pending`)
})
