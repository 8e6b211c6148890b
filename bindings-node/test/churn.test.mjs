// The churn exports: ChurnEngine (score, risks, scoreRisks, rank, rankAsync, custom weights and
// rules), churnInputFromRecords and fitWeights; money as decimal strings, dates YYYY-MM-DD.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import * as eb from '../index.mjs'

const weekly = {
  signupDate: '2026-06-01',
  purchases: ['2026-08-03', '2026-08-10', '2026-08-17', '2026-08-24', '2026-08-31', '2026-09-07', '2026-09-14', '2026-10-12'].map(
    (date) => ({ date, amount: '56.00' }),
  ),
}
const steady = {
  signupDate: '2025-01-01',
  purchases: ['2026-11-18', '2026-11-21', '2026-11-24'].map((date) => ({ date, amount: '28.00' })),
}

function throwsCode(fn, code) {
  try {
    fn()
  } catch (err) {
    assert.equal(err.code, code, err.message)
    return err
  }
  assert.fail(`expected ${code}`)
}

const sum = (points) => points.reduce((s, p) => s + Math.round(Number(p) * 100), 0)

test('ChurnEngine.score: score, band, seven contributions adding up, reasons and action', () => {
  const engine = new eb.ChurnEngine()
  const s = engine.score(weekly, '2026-11-25')
  assert.equal(typeof s.score, 'string')
  assert.equal(s.band, 'high')
  assert.equal(s.contributions.length, 7)
  assert.deepEqual(Object.keys(s.contributions[0]).sort(), ['factor', 'points', 'risk', 'weight'])
  assert.deepEqual(s.contributions.map((c) => c.factor), ['recency', 'frequency_drop', 'spend_drop', 'subscription', 'payment', 'service', 'tenure'])
  assert.equal(sum(s.contributions.map((c) => c.points)), Math.round(Number(s.score) * 100))
  assert.equal(s.contributions[4].risk, null)
  assert.equal(s.reasons[0], 'RECENCY_OVERDUE')
  assert.equal(s.action, 'win_back_offer')
  const risks = engine.risks(weekly, '2026-11-25')
  assert.equal(risks.payment, null)
  assert.deepEqual(engine.scoreRisks(risks), s)
  assert.equal(engine.score(steady, '2026-11-25').band, 'low')
})

test('ChurnEngine: custom weights, bands and rules; invalid config and input with codes', () => {
  const config = {
    weights: { recency: 0, frequencyDrop: 0, spendDrop: 0, subscription: 0, payment: 1, service: 0, tenure: 0 },
    bands: { mediumFrom: '20', highFrom: '50' },
    rules: [{ when: [{ if: 'factor_risk_at_least', factor: 'payment', risk: 0.1 }], action: 'payment_reminder' }],
    topReasons: 1,
  }
  const engine = new eb.ChurnEngine(config)
  assert.equal(engine.config.bands.highFrom, '50')
  assert.equal(engine.config.params.recencyHalfDays, 30)
  const s = engine.score({ ...steady, payments: { overdueAmount: '600.00', overdueDays: 20, failedPayments: 1 } }, '2026-11-25')
  assert.deepEqual(s.reasons, ['PAYMENT_OVERDUE'])
  assert.equal(s.action, 'payment_reminder')
  assert.equal(s.contributions[4].weight, 1)
  const bad = throwsCode(() => new eb.ChurnEngine({ weights: { recency: -1 }, bands: { mediumFrom: '70', highFrom: '60' } }), 'CHURN_INVALID_CONFIG')
  assert.equal(bad.name, 'ValidationError')
  assert.ok(bad.problems.length >= 2, JSON.stringify(bad.problems))
  const input = throwsCode(() => engine.score({ signupDate: '2027-01-01', purchases: [] }, '2026-11-25'), 'CHURN_INVALID_INPUT')
  assert.ok(input.problems.some((p) => p.field === 'signup_date'), JSON.stringify(input.problems))
  // Money as a JS number, a date that is not YYYY-MM-DD.
  const money = throwsCode(() => engine.score({ purchases: [{ date: '2026-11-01', amount: 56 }] }, '2026-11-25'), 'VALIDATION_FAILED')
  assert.deepEqual(money.problems.map((p) => [p.field, p.rule]), [['input', 'type']])
  assert.match(money.problems[0].message, /invalid type: number, expected a Decimal/)
  const when = throwsCode(() => engine.score(steady, new Date('2026-11-25')), 'VALIDATION_FAILED')
  assert.deepEqual(when.problems.map((p) => [p.field, p.rule]), [['now', 'type']])
  assert.equal(eb.ChurnEngine.defaultConfig().topReasons, 3)
})

test('ChurnEngine.rank and rankAsync: riskiest first, ties in input order, errors name the customer', async () => {
  const engine = new eb.ChurnEngine()
  const ranked = engine.rank([steady, weekly, steady], '2026-11-25')
  assert.deepEqual(ranked.map((r) => r.index), [1, 0, 2])
  assert.deepEqual(ranked[0].churn, engine.score(weekly, '2026-11-25'))
  assert.deepEqual(await engine.rankAsync([steady, weekly, steady], '2026-11-25'), ranked)
  const err = throwsCode(() => engine.rank([steady, { purchases: [{ date: '2026-11-01', amount: '-5.00' }] }], '2026-11-25'), 'CHURN_INVALID_INPUT')
  assert.ok(err.problems.every((p) => p.field.startsWith('customers[1].')), JSON.stringify(err.problems))
  await assert.rejects(engine.rankAsync([steady], 'now'), (e) => e.code === 'VALIDATION_FAILED')
})

test('ChurnEngine.rankAsync: the event loop keeps running while a base is ranked', async () => {
  const engine = new eb.ChurnEngine()
  const base = Array.from({ length: 40000 }, (_, i) => (i % 2 ? weekly : steady))
  let ticks = 0
  const timer = setInterval(() => {
    ticks += 1
  }, 1)
  const pending = engine.rankAsync(base, '2026-11-25')
  const ticksBefore = ticks
  const ranked = await pending
  clearInterval(timer)
  assert.equal(ticksBefore, 0)
  assert.equal(ranked.length, 40000)
  assert.equal(ranked[0].index, 1)
  assert.ok(ticks >= 1, `the 1 ms timer fired ${ticks} times`)
})

test('churnInputFromRecords: purchases and signals from the business records', () => {
  const records = {
    customer: { id: 'C1', name: 'Asha', phone: '9876543210', signupDate: '2026-01-01' },
    orders: [
      {
        id: 'O1',
        customerId: 'C1',
        deliveryDate: '2026-01-15',
        status: 'DELIVERED',
        items: [{ productId: 'P1', quantity: '2', unitPrice: '28.50', deliveredQuantity: '2' }],
      },
    ],
    service: { complaints: 1, disputes: 0 },
  }
  const input = eb.churnInputFromRecords(records, '2026-02-01', 30)
  assert.deepEqual(input.purchases, [{ date: '2026-01-15', amount: '57.00' }])
  assert.equal(input.signupDate, '2026-01-01')
  assert.deepEqual(input.service, { complaints: 1, disputes: 0 })
  assert.equal(input.subscription, null)
  assert.equal(new eb.ChurnEngine().score(input, '2026-02-01').contributions.length, 7)
  const err = throwsCode(
    () => eb.churnInputFromRecords({ ...records, payments: { overdueAmount: 100, overdueDays: 3, failedPayments: 0 } }, '2026-02-01', 30),
    'VALIDATION_FAILED',
  )
  assert.deepEqual(err.problems.map((p) => [p.field, p.rule]), [['payments', 'type']])
  const e2 = throwsCode(() => eb.churnInputFromRecords({ customer: { id: 'C1' } }, '2026-02-01', 30), 'VALIDATION_FAILED')
  assert.ok(e2.problems.some((p) => p.field === 'customer.phone'), JSON.stringify(e2.problems))
})

test('fitWeights: non-negative weights summing to 1 from labelled customers; too few refused', () => {
  const samples = Array.from({ length: 100 }, (_, i) => ({
    risks: { recency: i / 100, service: (i % 10) / 10 },
    churned: (i * 37) % 100 < i,
  }))
  const fitted = eb.fitWeights(samples)
  const total = Object.values(fitted.weights).reduce((a, b) => a + b, 0)
  assert.ok(Math.abs(total - 1) < 1e-9, `weights sum to ${total}`)
  assert.ok(Object.values(fitted.weights).every((w) => w >= 0))
  assert.equal(fitted.coefficients.length, 7)
  assert.ok(fitted.weights.recency > 0)
  const engine = new eb.ChurnEngine({ weights: fitted.weights })
  assert.equal(engine.config.weights.recency, fitted.weights.recency)
  throwsCode(() => eb.fitWeights(samples.slice(0, 5)), 'CHURN_TOO_FEW_SAMPLES')
  throwsCode(() => eb.fitWeights(samples.map((s) => ({ ...s, churned: true }))), 'CHURN_ONE_CLASS')
  throwsCode(() => eb.fitWeights(samples, { l2: -1 }), 'CHURN_INVALID_CONFIG')
})
