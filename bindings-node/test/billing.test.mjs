// The billing exports: bills as plain camelCase objects with money as decimal strings and
// dates as YYYY-MM-DD, JS numbers for money refused, errors with codes, finalizing and bill
// numbers, reconciliation, payments, the wallet, and billMonthAsync off the event loop.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as eb from '../index.mjs'

const milk = {
  id: 'MILK',
  name: 'Milk 1L',
  unit: 'litre',
  prices: [
    { price: '28.00', effectiveFrom: '2025-01-01' },
    { price: '30.00', effectiveFrom: '2026-01-16' },
  ],
}
const ghee = { id: 'GHEE', name: 'Ghee 500g', prices: [{ price: '310.00', effectiveFrom: '2025-01-01' }], gstRate: '12' }

const subscription = (customerId) => ({
  id: `S_${customerId}`,
  customerId,
  productId: 'MILK',
  quantity: '1',
  schedule: 'daily',
  startDate: '2025-12-01',
})

const delivery = (customerId, day, quantity = '1', status = 'DELIVERED') => ({
  id: `D_${customerId}_${day}`,
  customerId,
  date: `2026-01-${String(day).padStart(2, '0')}`,
  subscriptionId: `S_${customerId}`,
  productId: 'MILK',
  orderedQuantity: quantity,
  deliveredQuantity: status === 'NOT_DELIVERED' ? '0' : quantity,
  status,
})

/** January for C1 (days 1-20, day 6 not delivered) and C2 (days 1-3), and a ghee order of C1. */
function january() {
  const deliveries = []
  for (let day = 1; day <= 20; day += 1) deliveries.push(delivery('C1', day, '1', day === 6 ? 'NOT_DELIVERED' : 'DELIVERED'))
  for (let day = 1; day <= 3; day += 1) deliveries.push(delivery('C2', day, '2'))
  return structuredClone({
    products: [milk, ghee],
    subscriptions: [subscription('C1'), subscription('C2')],
    orders: [
      {
        id: 'O1',
        customerId: 'C1',
        items: [{ productId: 'GHEE', quantity: '1', unitPrice: '310.00', deliveredQuantity: '1' }],
        deliveryDate: '2026-01-10',
        status: 'DELIVERED',
      },
    ],
    deliveries,
  })
}

function throwsCode(fn, code, name) {
  try {
    fn()
  } catch (err) {
    assert.ok(err instanceof Error)
    assert.equal(err.code, code, err.message)
    if (name) assert.equal(err.name, name)
    assert.ok(Array.isArray(err.problems))
    return err
  }
  assert.fail(`expected ${code}`)
}

test('computeBill: lines, GST, totals as decimal strings, dates as YYYY-MM-DD, camelCase keys', () => {
  const bill = eb.computeBill(january(), 'C1', '2026-01')
  assert.equal(bill.customerId, 'C1')
  assert.equal(bill.month, '2026-01')
  assert.equal(bill.status, 'DRAFT')
  assert.equal(bill.billDate, '2026-02-01')
  assert.equal(bill.dueDate, '2026-02-08')
  // 14 days at 28.00 (1-15 but the 6th) and 5 days at 30.00 (16-20): the price change.
  const lines = bill.lines.map(({ kind, quantity, unitPrice, amount, gstRate }) => ({ kind, quantity, unitPrice, amount, gstRate }))
  assert.deepEqual(lines, [
    { kind: 'subscription', quantity: '14', unitPrice: '28.00', amount: '392.00', gstRate: '0' },
    { kind: 'subscription', quantity: '5', unitPrice: '30.00', amount: '150.00', gstRate: '0' },
    { kind: 'one_time', quantity: '1', unitPrice: '310.00', amount: '310.00', gstRate: '12' },
  ])
  assert.equal(bill.subtotal, '852.00')
  assert.equal(bill.tax, '37.20')
  assert.deepEqual(bill.taxes.find((t) => t.rate === '12'), { rate: '12', taxable: '310.00', tax: '37.20' })
  assert.equal(bill.total, '889.20')
  assert.equal(bill.amountDue, '889.20')
  assert.equal(typeof bill.total, 'string')
  assert.deepEqual(bill.lines[2].sources, [{ kind: 'order_item', orderId: 'O1', item: 0, date: '2026-01-10', quantity: '1' }])
  // The same input as JSON text (snake_case keys, as the core writes it) gives the same bill.
  assert.deepEqual(eb.computeBill(JSON.stringify(january()), 'C1', '2026-01'), bill)
})

test('billing: money as a JS number is refused with a typed error naming the field', () => {
  const input = january()
  input.products[0].prices[0].price = 28
  input.deliveries[2].deliveredQuantity = 1
  const err = throwsCode(() => eb.computeBill(input, 'C1', '2026-01'), 'VALIDATION_FAILED', 'ValidationError')
  assert.deepEqual(
    err.problems.map(({ field, rule }) => ({ field, rule })),
    [
      { field: 'products[0].prices[0].price', rule: 'type' },
      { field: 'deliveries[2].delivered_quantity', rule: 'type' },
    ],
  )
  assert.match(err.problems[0].message, /decimal strings/)
  // JSON text keeps a number's digits exactly: 28.00 stays 28.00, so it is read.
  const text = JSON.stringify(january()).replace('"price":"28.00"', '"price":28.00')
  assert.equal(eb.computeBill(text, 'C1', '2026-01').total, '889.20')
  // A money argument as a number.
  const wallet = { customerId: 'C1', entries: [] }
  const e2 = throwsCode(() => eb.walletTopUp(wallet, 'T1', 500, '2026-01-01'), 'VALIDATION_FAILED')
  assert.deepEqual(e2.problems.map((p) => [p.field, p.rule]), [['amount', 'type']])
  // A credit's amount and a config given a number where a decimal is due.
  const credits = [{ id: 'CR1', customerId: 'C1', kind: 'credit_note', amount: 10.5, date: '2026-01-20', orderId: 'O1' }]
  const e3 = throwsCode(() => eb.computeBill({ ...january(), credits }, 'C1', '2026-01'), 'VALIDATION_FAILED')
  assert.deepEqual(e3.problems.map((p) => [p.field, p.rule]), [['credits', 'type']])
})

test('billing: bad records, months and dates are VALIDATION_FAILED with every problem', () => {
  const input = january()
  input.deliveries[0].status = 'LOST'
  input.orders[0].items[0].quantity = '-1'
  const err = throwsCode(() => eb.computeBill(input, 'C1', '2026-01'), 'VALIDATION_FAILED')
  const fields = err.problems.map((p) => p.field)
  assert.ok(fields.includes('deliveries[0].status'), fields.join())
  assert.ok(fields.includes('orders[0].items[0].quantity'), fields.join())
  assert.deepEqual(
    throwsCode(() => eb.computeBill(january(), 'C1', 'January'), 'VALIDATION_FAILED').problems.map((p) => [p.field, p.rule]),
    [['month', 'date']],
  )
  throwsCode(() => eb.computeBill(42, 'C1', '2026-01'), 'VALIDATION_FAILED')
  throwsCode(() => eb.computeBill(january(), 'C1', '2026-01', { dueDays: 'seven' }), 'VALIDATION_FAILED')
  const e = throwsCode(() => eb.allocatePayments('C1', [], [], '01/02/2026'), 'VALIDATION_FAILED')
  assert.deepEqual(e.problems.map((p) => [p.field, p.rule]), [['today', 'date']])
})

test('previewBill: the draft and the scheduled days without a delivery record', () => {
  const preview = eb.previewBill(january(), 'C2', '2026-01')
  assert.equal(preview.bill.total, '168.00')
  assert.equal(preview.unconfirmed.length, 28)
  assert.deepEqual(preview.unconfirmed[0], { subscriptionId: 'S_C2', productId: 'MILK', date: '2026-01-04', quantity: '1' })
})

test('billMonth: every customer of the month; billMonthAsync gives the same bills', async () => {
  const bills = eb.billMonth(january(), '2026-01')
  assert.deepEqual(bills.map((b) => [b.customerId, b.total]), [['C1', '889.20'], ['C2', '168.00']])
  assert.deepEqual(bills[0], eb.computeBill(january(), 'C1', '2026-01'))
  const pending = eb.billMonthAsync(january(), '2026-01')
  assert.ok(pending instanceof Promise)
  assert.deepEqual(await pending, bills)
  await assert.rejects(eb.billMonthAsync(january(), '2026-13'), (err) => err.code === 'VALIDATION_FAILED' && err.problems[0].field === 'month')
  const bad = january()
  bad.products[0].prices[0].price = 28
  await assert.rejects(eb.billMonthAsync(bad, '2026-01'), (err) => err.code === 'VALIDATION_FAILED' && err.problems[0].rule === 'type')
})

test('finalizeBill, finalizeAll, nextBillNumber: GST numbers per financial year, refusals with codes', () => {
  const [c1, c2] = eb.billMonth(january(), '2026-01')
  const series = { financialYear: 2025, last: 41 }
  const { bill, series: after } = eb.finalizeBill(c1, [], series)
  assert.equal(bill.status, 'FINALIZED')
  assert.equal(bill.number, 'EB/25-26/000042')
  assert.deepEqual(after, { financialYear: 2025, last: 42 })
  const again = throwsCode(() => eb.finalizeBill(bill, [bill], after), 'BILLING_NOT_DRAFT', 'BillingError')
  assert.deepEqual(again.problems, [])
  // A draft computed before C1's January bill was finalized is stale once it is.
  const stale = eb.computeBill(january(), 'C1', '2026-02')
  throwsCode(() => eb.finalizeBill(stale, [bill], after), 'BILLING_STALE_DRAFT')
  const all = eb.finalizeAll([c2, c1], [], series, { numberPrefix: 'MK' })
  assert.deepEqual(all.bills.map((b) => [b.customerId, b.number]), [['C1', 'MK/25-26/000042'], ['C2', 'MK/25-26/000043']])
  assert.deepEqual(all.series, { financialYear: 2025, last: 43 })
  assert.deepEqual(eb.nextBillNumber({ financialYear: 2025, last: 122 }, '2026-04-01'), {
    number: 'EB/26-27/000001',
    series: { financialYear: 2026, last: 1 },
  })
  throwsCode(() => eb.nextBillNumber({ financialYear: 2026, last: 1 }, '2026-03-01'), 'BILLING_NUMBERING_BACKWARDS')
  throwsCode(() => eb.nextBillNumber(series, '2026-02-01', { numberPrefix: 'EARLYBIRD' }), 'BILLING_NUMBER_TOO_LONG')
  const settings = throwsCode(
    () => eb.nextBillNumber(series, '2026-02-01', { numberPrefix: 'M K', numberDigits: 4294967295 }),
    'BILLING_INVALID_INPUT',
    'ValidationError',
  )
  assert.deepEqual(
    settings.problems.map(({ field, rule }) => ({ field, rule })),
    [
      { field: 'number_prefix', rule: 'range' },
      { field: 'number_digits', rule: 'range' },
    ],
  )
  // Billing the closed month again is refused.
  throwsCode(() => eb.computeBill({ ...january(), bills: [bill] }, 'C1', '2026-01'), 'BILLING_MONTH_CLOSED')
})

test('reconcile: what was delivered and is in no finalized bill, and what contradicts', () => {
  const open = eb.reconcile(january(), '2026-01')
  assert.equal(open.through, '2026-01')
  assert.equal(open.missing.length, 19 + 3 + 1)
  assert.equal(open.totalMissing, '1020.00')
  assert.deepEqual(open.missing[0], {
    customerId: 'C1',
    source: { kind: 'delivery', deliveryId: 'D_C1_1' },
    date: '2026-01-01',
    productId: 'MILK',
    quantity: '1',
    unitPrice: '28.00',
    amount: '28.00',
  })
  const finalized = eb.finalizeAll(eb.billMonth(january(), '2026-01'), [], { financialYear: 2025, last: 0 }).bills
  const closed = eb.reconcile({ ...january(), bills: finalized }, '2026-01')
  assert.deepEqual(closed.missing, [])
  assert.equal(closed.totalMissing, '0')
  const orphan = january()
  orphan.deliveries.push({ ...delivery('C2', 9), subscriptionId: 'S_NONE' })
  assert.deepEqual(eb.reconcile(orphan, '2026-01').inconsistencies, [
    { kind: 'delivery_for_missing_subscription', deliveryId: 'D_C2_9', subscriptionId: 'S_NONE' },
  ])
})

test('allocatePayments: oldest bill first, statuses, overdue after the due date', () => {
  const [bill] = eb.finalizeAll(eb.billMonth(january(), '2026-01'), [], { financialYear: 2025, last: 0 }).bills
  const payments = [{ id: 'P1', customerId: 'C1', amount: '500.00', method: 'upi', date: '2026-02-03' }]
  const statement = eb.allocatePayments('C1', [bill], payments, '2026-02-05')
  assert.deepEqual(statement.bills.map(({ number, allocated, outstanding, status }) => ({ number, allocated, outstanding, status })), [
    { number: 'EB/25-26/000001', allocated: '500.00', outstanding: '389.20', status: 'PARTIALLY_PAID' },
  ])
  assert.deepEqual(statement.allocations, [{ paymentId: 'P1', billNumber: 'EB/25-26/000001', amount: '500.00' }])
  assert.equal(statement.balance, '389.20')
  assert.equal(eb.allocatePayments('C1', [bill], payments, '2026-02-20').bills[0].status, 'OVERDUE')
  const err = throwsCode(
    () => eb.allocatePayments('C1', [bill], [{ ...payments[0], amount: 500 }], '2026-02-05'),
    'VALIDATION_FAILED',
  )
  assert.deepEqual(err.problems.map((p) => [p.field, p.rule]), [['payments[0].amount', 'type']])
})

test('wallet: top-up, promotional credit, application, balance and history; overdraw refused', () => {
  let wallet = { customerId: 'C1', entries: [] }
  wallet = eb.walletTopUp(wallet, 'T1', '500.00', '2026-01-01')
  wallet = eb.walletGrant(wallet, 'G1', '100.00', '2026-01-02', '2026-01-10')
  wallet = eb.walletApply(wallet, 'A1', '550.00', '2026-01-05', 'PAY_W1')
  assert.equal(wallet.entries.length, 3)
  assert.equal(eb.walletBalance(wallet, '2026-01-05'), '50.00')
  const history = eb.walletHistory(wallet)
  assert.deepEqual(history.map((m) => [m.entryId, m.kind, m.amount, m.balance]).slice(0, 3), [
    ['T1', 'top_up', '500.00', '500.00'],
    ['G1', 'promotional', '100.00', '600.00'],
    ['A1', 'applied', '-550.00', '50.00'],
  ])
  const err = throwsCode(() => eb.walletApply(wallet, 'A2', '60.00', '2026-01-06', 'PAY_W2'), 'BILLING_INSUFFICIENT_WALLET', 'BillingError')
  assert.match(err.message, /holds/)
  throwsCode(() => eb.walletTopUp(wallet, 'T1', '5.00', '2026-01-07'), 'BILLING_INVALID_INPUT', 'ValidationError')
  assert.equal(eb.billingDefaultConfig().dueDays, 7)
})

/** A month of `customers` customers with a daily subscription each, delivered every day. */
function bigMonth(customers) {
  const deliveries = []
  const subscriptions = []
  for (let c = 0; c < customers; c += 1) {
    const id = `K${c}`
    subscriptions.push(subscription(id))
    for (let day = 1; day <= 31; day += 1) deliveries.push(delivery(id, day, c % 4 === 0 ? '1.5' : '1'))
  }
  return { products: [milk], subscriptions, deliveries }
}

test('billMonthAsync: the event loop keeps running while a month is billed', async () => {
  // 2 500 customers, 77 500 delivery records as JSON text: reading and billing them runs on
  // the libuv pool while a 1 ms timer keeps firing on the main thread.
  const text = JSON.stringify(bigMonth(2500))
  let ticks = 0
  const timer = setInterval(() => {
    ticks += 1
  }, 1)
  const started = performance.now()
  const pending = eb.billMonthAsync(text, '2026-01')
  const ticksBefore = ticks
  const bills = await pending
  const elapsed = performance.now() - started
  clearInterval(timer)
  assert.equal(ticksBefore, 0, 'billMonthAsync returned before any timer could fire')
  assert.equal(bills.length, 2500)
  assert.equal(bills[0].customerId, 'K0')
  assert.equal(bills[0].total, '1350.00')
  // A blocked loop gives 0 ticks while the Promise is pending.
  assert.ok(ticks >= 3, `only ${ticks} ticks of a 1 ms timer in ${Math.round(elapsed)} ms`)
  console.log(`billMonthAsync: 77 500 records billed in ${Math.round(elapsed)} ms, the 1 ms timer fired ${ticks} times meanwhile`)
})

test('billing: a panic inside a billing call is an INTERNAL_PANIC error, and the process lives on', () => {
  throwsCode(() => eb.default.__panicForTest(), 'INTERNAL_PANIC', 'InternalError')
  assert.equal(eb.computeBill(january(), 'C2', '2026-01').total, '168.00')
})
