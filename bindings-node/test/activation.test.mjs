// The activation exports: a customer's fold (record, sweep, timeline, intents, state at an
// instant), the whole-base sweep and sweepAsync, metrics, cohort retention and its text,
// backfill from records; instants as ISO strings (Dates accepted), errors with codes.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as eb from '../index.mjs'

const event = (kind, at, sequence, extra = {}) => ({ customerId: 'C1', kind, at, sequence, ...extra })

const history = () => ({
  customerId: 'C1',
  events: [
    event('signed_up', '2026-01-01T04:30:00Z', 1),
    event('order_placed', '2026-01-02T04:30:00Z', 2, { orderId: 'O1' }),
    event('delivery_completed', '2026-01-03T01:30:00Z', 3, { orderId: 'O1' }),
  ],
})

function throwsCode(fn, code) {
  try {
    fn()
  } catch (err) {
    assert.equal(err.code, code, err.message)
    return err
  }
  assert.fail(`expected ${code}`)
}

test('CustomerActivation: replay, state, dates, timeline and intents as plain objects', () => {
  const c = new eb.CustomerActivation(history(), '2026-01-05T00:00:00Z')
  assert.equal(c.customerId, 'C1')
  assert.equal(c.state, 'ACTIVE')
  assert.deepEqual(c.dates, {
    signedUpAt: '2026-01-01T04:30:00Z',
    firstOrderAt: '2026-01-02T04:30:00Z',
    firstDeliveryAt: '2026-01-03T01:30:00Z',
    lastActivityAt: '2026-01-03T01:30:00Z',
    churnedOn: null,
  })
  assert.deepEqual(c.timeline.map((t) => [t.from, t.to, t.cause.type]), [
    [null, 'NEW', 'event'],
    ['NEW', 'ONBOARDED', 'event'],
    ['ONBOARDED', 'ACTIVE', 'event'],
  ])
  assert.deepEqual(c.timeline[1].cause, { type: 'event', kind: 'order_placed', sequence: 2, reference: 'O1' })
  assert.equal(c.timeline[1].lastActivityOn, '2026-01-02')
  assert.deepEqual(c.intents().map((i) => [i.template, i.variables]), [
    ['welcome', {}],
    ['order_confirmation', { order_id: 'O1' }],
    ['thank_you_upsell', {}],
  ])
  assert.equal(c.intents()[0].customerId, 'C1')
  assert.equal(c.events.length, 3)
  assert.equal(c.config.inactiveAfterDays, 30)
  assert.equal(c.stateAt('2026-01-02T12:00:00Z').to, 'ONBOARDED')
  assert.equal(c.stateAt(new Date('2025-12-31T00:00:00Z')), null)
})

test('CustomerActivation: record (late events refold), sweep to INACTIVE and CHURNED', () => {
  const c = new eb.CustomerActivation(history(), new Date('2026-01-05T00:00:00Z'))
  const on = c.record(event('order_placed', '2026-01-06T04:30:00Z', 4, { orderId: 'O2' }))
  assert.deepEqual(on, { transitions: [], late: false, rewroteHistory: false })
  const late = c.record(event('order_placed', '2026-01-01T10:00:00Z', 5, { orderId: 'O0' }))
  assert.equal(late.late, true)
  assert.equal(late.rewroteHistory, true)
  const swept = c.sweep('2026-02-20T00:00:00Z')
  assert.deepEqual(swept.map((t) => [t.from, t.to, t.cause.rule]), [['ACTIVE', 'INACTIVE', 'inactivity']])
  assert.equal(c.state, 'INACTIVE')
  assert.deepEqual(c.intents(swept).map((i) => [i.template, i.variables]), [['we_miss_you', { last_activity_date: '2026-01-06' }]])
  c.sweep('2026-04-10T00:00:00Z')
  assert.equal(c.state, 'CHURNED')
  assert.match(c.dates.churnedOn, /^2026-03-\d\d$/)
  const dup = throwsCode(() => c.record(event('signed_up', '2026-04-10T04:30:00Z', 9)), 'VALIDATION_FAILED')
  assert.deepEqual(dup.problems.map((p) => [p.field, p.rule]), [['event.kind', 'duplicate']])
})

test('CustomerActivation: invalid history or config is VALIDATION_FAILED with every problem', () => {
  const bad = history()
  bad.events[1].customerId = 'C2'
  const err = throwsCode(() => new eb.CustomerActivation(bad, '2026-01-05T00:00:00Z', { inactiveAfterDays: 0 }), 'VALIDATION_FAILED')
  assert.equal(err.name, 'ValidationError')
  const fields = err.problems.map((p) => p.field)
  assert.ok(fields.some((f) => f.startsWith('config.')), fields.join())
  assert.ok(fields.some((f) => f.startsWith('events[')), fields.join())
  const e2 = throwsCode(() => new eb.CustomerActivation(history(), '5 January'), 'VALIDATION_FAILED')
  assert.deepEqual(e2.problems.map((p) => [p.field, p.rule]), [['now', 'type']])
  throwsCode(() => new eb.CustomerActivation({ customerId: 'C1', events: [{ kind: 'teleported' }] }, '2026-01-05T00:00:00Z'), 'VALIDATION_FAILED')
})

/** Snapshots of `n` customers who signed up, ordered and got a first delivery on 1-3 January. */
function snapshots(n) {
  const out = []
  for (let i = 0; i < n; i += 1) {
    const h = history()
    h.customerId = `C${i}`
    for (const e of h.events) e.customerId = `C${i}`
    out.push(new eb.CustomerActivation(h, '2026-01-05T00:00:00Z').snapshot())
  }
  return out
}

test('sweep and sweepAsync: the whole base, snapshots after and transitions by customer', async () => {
  const base = snapshots(3)
  assert.deepEqual(Object.keys(base[0]).sort(), [
    'asOf', 'churnOn', 'customerId', 'dates', 'engagedUntil', 'inactiveOn', 'retained', 'retainedCheckOn', 'state',
  ])
  const result = eb.sweep(base, '2026-02-10T00:00:00Z')
  assert.deepEqual(result.transitions.map((t) => [t.customerId, t.transition.to, t.transition.at]), [
    ['C0', 'INACTIVE', '2026-02-01T18:30:00Z'],
    ['C1', 'INACTIVE', '2026-02-01T18:30:00Z'],
    ['C2', 'INACTIVE', '2026-02-01T18:30:00Z'],
  ])
  assert.deepEqual(result.snapshots.map((s) => s.state), ['INACTIVE', 'INACTIVE', 'INACTIVE'])
  assert.equal(result.snapshots[0].asOf, '2026-02-10')
  assert.deepEqual(eb.sweep(result.snapshots, '2026-02-10T00:00:00Z').transitions, [])
  assert.deepEqual(await eb.sweepAsync(base, '2026-02-10T00:00:00Z'), result)
  await assert.rejects(eb.sweepAsync(base, 'tomorrow'), (err) => err.code === 'VALIDATION_FAILED')
  await assert.rejects(eb.sweepAsync(base, '2026-02-10T00:00:00Z', { churnedAfterDays: 1 }), (err) => err.code === 'VALIDATION_FAILED')
})

test('sweepAsync: the event loop keeps running during a sweep of many customers', async () => {
  const one = snapshots(1)[0]
  const base = Array.from({ length: 20000 }, (_, i) => ({ ...one, customerId: `K${i}` }))
  let ticks = 0
  const timer = setInterval(() => {
    ticks += 1
  }, 1)
  const pending = eb.sweepAsync(base, '2026-06-01T00:00:00Z')
  const ticksBefore = ticks
  const result = await pending
  clearInterval(timer)
  assert.equal(ticksBefore, 0)
  assert.equal(result.transitions.length, 40000)
  assert.ok(ticks >= 1, `the 1 ms timer fired ${ticks} times`)
})

test('activationMetrics and funnelText: counts per state, funnel, revenue per state', () => {
  const base = snapshots(4)
  base[3] = new eb.CustomerActivation({ customerId: 'C3', events: [event('signed_up', '2026-01-01T04:30:00Z', 1)].map((e) => ({ ...e, customerId: 'C3' })) }, '2026-01-02T00:00:00Z').snapshot()
  const m = eb.activationMetrics(base, { C0: '120.50', C3: '0.00', GONE: '10.00' }, '2026-01-20T00:00:00Z')
  assert.equal(m.customers, 4)
  assert.equal(m.perState.ACTIVE, 3)
  assert.equal(m.perState.NEW, 1)
  assert.deepEqual(m.stalled, { new: 1, onboarded: 0 })
  assert.equal(m.revenuePerState.ACTIVE, '120.50')
  assert.equal(m.revenueUnmatched, '10.00')
  assert.deepEqual(m.funnel.steps.slice(0, 3).map((s) => [s.step, s.customers, s.rateFromStart]), [
    ['signed_up', 4, '1'],
    ['first_order', 3, '0.75'],
    ['first_delivery', 3, '0.75'],
  ])
  const text = eb.funnelText(m.funnel)
  assert.match(text, /^step\s+customers/)
  assert.match(text, /first_order\s+3\s+75\.0%\s+75\.0%/)
  const err = throwsCode(() => eb.activationMetrics(base, { C0: 120.5 }, '2026-01-20T00:00:00Z'), 'VALIDATION_FAILED')
  assert.deepEqual(err.problems.map((p) => [p.field, p.rule]), [['bills.C0', 'type']])
  assert.equal(eb.activationMetrics(base, null, '2026-01-20T00:00:00Z').revenueUnmatched, '0')
})

test('cohortRetention and cohortText: weekly and monthly cohorts', () => {
  const customers = [
    { signedUpOn: '2026-01-05', activity: ['2026-01-06', '2026-01-14'] },
    { signedUpOn: '2026-01-06', activity: [] },
    { signedUpOn: '2026-01-13', activity: ['2026-01-13'] },
  ]
  const weekly = eb.cohortRetention(customers, 'week', '2026-01-14')
  assert.equal(weekly.granularity, 'week')
  assert.equal(weekly.asOf, '2026-01-14')
  assert.deepEqual(weekly.rows, [
    { cohort: '2026-01-05', size: 2, active: [1, 1], retention: ['0.5', '0.5'] },
    { cohort: '2026-01-12', size: 1, active: [1], retention: ['1'] },
  ])
  const text = eb.cohortText(weekly, 4)
  assert.equal(text.split('\n')[0].replace(/\s+/g, ' '), 'cohort size W0 W1')
  assert.match(text, /2026-01-05\s+2\s+50\.0%\s+50\.0%/)
  assert.equal(eb.cohortRetention(customers, 'month', '2026-01-31').rows[0].size, 3)
  throwsCode(() => eb.cohortRetention(customers, 'fortnight', '2026-01-31'), 'VALIDATION_FAILED')
  throwsCode(() => eb.cohortRetention([{ signedUpOn: '2026-02-30' }], 'week', '2026-01-31'), 'VALIDATION_FAILED')
})

test('backfill: events and state from the records a customer already has', () => {
  const records = {
    customer: { id: 'C9', name: 'Asha', phone: '9876543210', signupDate: '2026-01-01' },
    orders: [
      {
        id: 'O1',
        customerId: 'C9',
        items: [{ productId: 'MILK', quantity: '2', unitPrice: '28.00', deliveredQuantity: '2' }],
        deliveryDate: '2026-01-03',
        status: 'DELIVERED',
        createdAt: '2026-01-02T04:30:00Z',
      },
    ],
  }
  const events = eb.backfillEvents(records)
  assert.deepEqual(events.map((e) => [e.kind, e.at, e.sequence]), [
    ['signed_up', '2025-12-31T18:30:00Z', 0],
    ['order_placed', '2026-01-02T04:30:00Z', 1],
    ['delivery_completed', '2026-01-02T18:30:00Z', 2],
  ])
  const c = eb.CustomerActivation.backfill(records, '2026-01-10T00:00:00Z')
  assert.ok(c instanceof eb.CustomerActivation)
  assert.equal(c.state, 'ACTIVE')
  assert.deepEqual(c.events, events)
  const bad = { ...records, orders: [{ ...records.orders[0], customerId: 'C8', items: [{ ...records.orders[0].items[0], quantity: 2 }] }] }
  const err = throwsCode(() => eb.backfillEvents(bad), 'VALIDATION_FAILED')
  assert.deepEqual(err.problems.map((p) => [p.field, p.rule]), [['orders[0].items[0].quantity', 'type']])
  const e2 = throwsCode(() => eb.backfillEvents({ orders: [] }), 'VALIDATION_FAILED')
  assert.deepEqual(e2.problems.map((p) => [p.field, p.rule]), [['customer', 'required']])
  assert.equal(eb.activationDefaultConfig().churnedAfterDays, 60)
})
