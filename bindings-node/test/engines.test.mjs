// The loyalty and routing exports: JavaScript conventions (camelCase keys, points as numbers,
// money as decimal strings, ISO instants), errors, and a route optimization off the event loop.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { LoyaltyProgram, solve, solveAsync, nearestNeighbourPlan, validatePlan, renderSvg } from '../index.mjs'

const payment = (id, customerId, amount, at) => ({
  type: 'payment_received',
  payment: { id, customerId, amount, method: 'upi', date: at.slice(0, 10) },
  at,
})

function rejects(fn, code, name) {
  try {
    fn()
  } catch (err) {
    assert.equal(err.code, code)
    if (name) assert.equal(err.name, name)
    assert.ok(Array.isArray(err.problems))
    return err
  }
  assert.fail(`expected ${code}`)
}

test('LoyaltyProgram: a payment earns points; results are camelCase with ISO instants', () => {
  const program = new LoyaltyProgram()
  const applied = program.apply(payment('p-1', 'c-1', '1200.50', '2026-11-02T04:00:00+05:30'))
  assert.deepEqual(Object.keys(applied).sort(), ['duplicate', 'entries', 'tierChange', 'unlocked'])
  assert.equal(applied.duplicate, false)
  const [earn] = applied.entries
  assert.deepEqual(
    { key: earn.key, kind: earn.kind, points: earn.points, at: earn.at, multiplier: earn.multiplier, tier: earn.tier },
    { key: 'earn:p-1', kind: 'earn', points: 1200, at: '2026-11-01T22:30:00Z', multiplier: '1', tier: 'BRONZE' },
  )
  // the same event again is a duplicate, nothing changes
  assert.equal(program.apply(payment('p-1', 'c-1', '1200.50', '2026-11-02T04:00:00+05:30')).duplicate, true)
  const member = program.member('c-1')
  assert.deepEqual(Object.keys(member), [
    'customerId', 'joinedAt', 'balance', 'tier', 'entries', 'tierHistory', 'badges', 'stats',
  ])
  assert.equal(member.balance, 1200)
  assert.equal(program.member('nobody'), null)
  assert.deepEqual(program.customerIds(), ['c-1'])
})

test('LoyaltyProgram: redeem, previews, caps and minimums, errors with codes', () => {
  const program = new LoyaltyProgram()
  program.apply(payment('p-1', 'c-1', '2000', '2026-05-01T04:00:00Z'))
  const request = { customerId: 'c-1', key: 'EB/26-27/000123', points: 590, billCharges: '590.00', at: new Date('2026-05-02T04:00:00Z') }
  const preview = program.previewRedemption('c-1', '590.00', '2026-05-02T04:00:00Z')
  assert.deepEqual(preview, { balance: 2000, maxPoints: 590, maxAmount: '295.00', capAmount: '295.00', minimumPoints: 100 })
  assert.deepEqual(LoyaltyProgram.preview(2000, '590.00'), preview)
  const err = rejects(() => program.redeem({ ...request, points: 591 }), 'LOYALTY_ABOVE_CAP', 'LoyaltyError')
  assert.deepEqual(err.problems, [])
  rejects(() => program.redeem({ ...request, points: 50 }), 'LOYALTY_BELOW_MINIMUM', 'LoyaltyError')
  rejects(() => program.redeem({ ...request, customerId: 'c-9' }), 'LOYALTY_UNKNOWN_MEMBER', 'LoyaltyError')
  const redeemed = program.redeem(request)
  assert.deepEqual(redeemed.redemption, { customerId: 'c-1', points: 590, amount: '295.00', key: 'EB/26-27/000123' })
  assert.equal(program.member('c-1').balance, 1410)
  // a staff adjustment (an internally tagged event carrying a number) and a wallet top-up
  const adjusted = program.apply({ type: 'adjusted', customerId: 'c-1', key: 'k1', points: 50, reason: 'goodwill', at: '2026-05-03T00:00:00Z' })
  assert.deepEqual(adjusted.entries.map((e) => [e.kind, e.points, e.reason]), [['adjust', 50, 'goodwill']])
  assert.deepEqual(program.apply({ type: 'wallet_top_up', customerId: 'c-1', topUpId: 't-1', amount: '100', at: '2026-05-03T00:00:00Z' }).entries, [])
  assert.equal(program.member('c-1').balance, 1460)
  // a refund of a payment never received
  rejects(
    () => program.apply({ type: 'payment_refunded', customerId: 'c-1', paymentId: 'p-x', at: '2026-05-03T00:00:00Z' }),
    'LOYALTY_UNKNOWN_PAYMENT',
  )
})

test('LoyaltyProgram: bad input is VALIDATION_FAILED naming the field', () => {
  const program = new LoyaltyProgram()
  const bad = rejects(() => program.apply({ type: 'no_such_event', at: '2026-05-01T00:00:00Z' }), 'VALIDATION_FAILED', 'ValidationError')
  assert.equal(bad.problems[0].field, 'event')
  assert.equal(bad.problems[0].rule, 'type')
  const money = rejects(() => program.apply(payment('p-1', 'c-1', '-5', '2026-05-01T04:00:00Z')), 'VALIDATION_FAILED')
  assert.ok(money.problems.length >= 1)
  const now = rejects(() => program.expire('yesterday'), 'VALIDATION_FAILED')
  assert.deepEqual(now.problems.map((p) => [p.field, p.rule]), [['now', 'type']])
  rejects(() => new LoyaltyProgram({ maxBillShare: '1.5' }), 'VALIDATION_FAILED')
})

test('LoyaltyProgram: config with defaults, overridable field by field', () => {
  const defaults = LoyaltyProgram.defaultConfig()
  assert.equal(defaults.minimumRedemption, 100)
  assert.equal(defaults.pointValue, '0.50')
  assert.equal(defaults.zone.offsetSeconds, 19800)
  const program = new LoyaltyProgram({ minimumRedemption: 200 })
  assert.equal(program.config.minimumRedemption, 200)
  assert.equal(program.config.maxBillShare, defaults.maxBillShare)
  program.apply(payment('p-1', 'c-1', '2000', '2026-05-01T04:00:00Z'))
  rejects(
    () => program.redeem({ customerId: 'c-1', key: 'k', points: 150, billCharges: '1000', at: '2026-05-02T00:00:00Z' }),
    'LOYALTY_BELOW_MINIMUM',
  )
})

test('LoyaltyProgram: summary, expiry, review, leaderboards with rank and percentile', () => {
  const program = new LoyaltyProgram()
  program.apply(payment('p-1', 'a', '3000', '2026-05-04T04:00:00Z'))
  program.apply(payment('p-2', 'b', '1000', '2026-05-05T04:00:00Z'))
  program.apply(payment('p-3', 'c', '500', '2026-05-05T05:00:00Z'))
  const summary = program.summary('a', '2026-05-06T00:00:00Z')
  assert.deepEqual(Object.keys(summary), ['customerId', 'balance', 'available', 'tier', 'badges'])
  assert.deepEqual(Object.keys(summary.tier), ['tier', 'qualifyingPoints', 'nextTier', 'nextThreshold', 'pointsToNext', 'pointsToKeep'])
  assert.equal(program.summary('nobody', '2026-05-06T00:00:00Z'), null)
  const boards = program.leaderboards(new Date('2026-05-06T00:00:00Z'), 2)
  assert.deepEqual(boards.allTime.map((p) => [p.rank, p.customerId]), [[1, 'a'], [2, 'b']])
  assert.deepEqual(Object.keys(boards.allTime[0]), ['rank', 'of', 'customerId', 'score', 'percentile'])
  assert.equal(typeof boards.allTime[0].percentile, 'string')
  assert.ok(Object.keys(boards.byTier).every((t) => ['BRONZE', 'SILVER', 'GOLD', 'PLATINUM', 'DIAMOND'].includes(t)))
  const standing = program.position('c', '2026-05-06T00:00:00Z')
  assert.equal(standing.allTime.rank, 3)
  assert.equal(standing.allTime.of, 3)
  assert.deepEqual(Object.keys(standing), ['allTime', 'tier', 'thisWeek'])
  assert.deepEqual(program.position('nobody', '2026-05-06T00:00:00Z'), { allTime: null, tier: null, thisWeek: null })
  assert.ok(Array.isArray(program.expire('2027-06-01T00:00:00Z')))
  assert.ok(program.member('a').entries.some((e) => e.kind === 'expire'))
  assert.ok(Array.isArray(program.monthlyReview('2027-06-01T00:00:00Z')))
})

/** A seeded problem on a grid around Bengaluru, `n` stops, two delivery persons. */
function problem(n, options) {
  const stops = Array.from({ length: n }, (_, i) => ({
    id: `s${i}`,
    location: { lat: 12.95 + ((i * 37) % 50) / 1000, lon: 77.57 + ((i * 53) % 50) / 1000 },
    serviceMinutes: 1,
    demand: [1],
  }))
  return {
    depot: { lat: 12.9716, lon: 77.5946 },
    stops,
    vehicles: [
      { id: 'ravi', capacity: [n], shiftStart: 300, shiftEnd: 720 },
      { id: 'asha', capacity: [n], shiftStart: 300, shiftEnd: 720 },
    ],
    options,
  }
}

test('routing: solve, nearestNeighbourPlan, validatePlan, renderSvg', () => {
  const p = problem(12, { seed: 7, iterationLimit: 200, timeBudgetMs: null })
  const plan = solve(p)
  assert.deepEqual(Object.keys(plan), [
    'routes', 'unassigned', 'totalDistance', 'totalMinutes', 'vehiclesUsed', 'comparison', 'changedPairs', 'iterations',
  ])
  assert.deepEqual(Object.keys(plan.routes[0]), ['vehicleId', 'start', 'end', 'visits', 'departure', 'finish', 'distance', 'minutes', 'load'])
  assert.deepEqual(Object.keys(plan.routes[0].visits[0] ?? plan.routes[1].visits[0]), ['stopId', 'location', 'arrival', 'serviceStart', 'departure'])
  assert.equal(plan.routes.reduce((n, r) => n + r.visits.length, 0), 12)
  assert.deepEqual(validatePlan(p, plan), [])
  // the same problem in the core's snake_case JSON gives the same plan (seeded, iteration-bound)
  const snakeText = JSON.stringify(p).replace(/"([a-z]+)([A-Z][a-zA-Z]*)":/g, (_, a, b) => `"${a}${b.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}":`)
  assert.deepEqual(solve(snakeText), plan)
  const nearest = nearestNeighbourPlan(p)
  assert.equal(nearest.comparison, null)
  assert.deepEqual(validatePlan(p, nearest), [])
  const broken = structuredClone(plan)
  const route = broken.routes.find((r) => r.visits.length > 0)
  route.visits.push(route.visits[0])
  assert.ok(validatePlan(p, broken).length > 0)
  const svg = renderSvg(plan, 640, 480, 'tomorrow')
  assert.match(svg, /^<svg[\s\S]*<\/svg>\s*$/)
})

test('routing: a refused problem lists every problem; bad arguments are VALIDATION_FAILED', () => {
  const p = problem(3, { seed: 1, iterationLimit: 10, timeBudgetMs: null })
  p.vehicles[0].shiftEnd = 100
  p.stops[1].demand = [-1]
  const err = rejects(() => solve(p), 'ROUTING_INVALID_INPUT', 'RoutingError')
  assert.ok(err.problems.length >= 2, JSON.stringify(err.problems))
  rejects(() => solve({ stops: 'none' }), 'VALIDATION_FAILED', 'ValidationError')
  rejects(() => renderSvg(solve(problem(2, { iterationLimit: 5, timeBudgetMs: null })), 'wide', 10, ''), 'VALIDATION_FAILED')
})

test('routing: solveAsync gives the same plan as solve, and rejects like it', async () => {
  const p = problem(20, { seed: 3, iterationLimit: 300, timeBudgetMs: null })
  assert.deepEqual(await solveAsync(p), solve(p))
  const bad = problem(2, {})
  bad.vehicles = []
  await assert.rejects(solveAsync(bad), (err) => err.code === 'ROUTING_INVALID_INPUT' && err.problems.length > 0)
  await assert.rejects(solveAsync(42), (err) => err.code === 'VALIDATION_FAILED')
})

test('routing: the event loop keeps running while solveAsync optimizes', async () => {
  // 300 stops searched for 1.5 s on the libuv pool; a 5 ms timer must keep firing meanwhile.
  const p = problem(300, { seed: 11, timeBudgetMs: 1500, iterationLimit: null, threads: 1 })
  let ticks = 0
  const timer = setInterval(() => {
    ticks += 1
  }, 5)
  const started = performance.now()
  const pending = solveAsync(p)
  const ticksBefore = ticks
  const plan = await pending
  const elapsed = performance.now() - started
  clearInterval(timer)
  assert.equal(ticksBefore, 0, 'solveAsync returned before any timer could fire')
  assert.equal(plan.routes.reduce((n, r) => n + r.visits.length, 0) + plan.unassigned.length, 300)
  assert.ok(elapsed >= 1000, `the search ran ${elapsed} ms`)
  // A blocked loop would give 0 ticks; a loaded 2-core machine still gives dozens.
  assert.ok(ticks >= 20, `only ${ticks} ticks of a 5 ms timer in ${Math.round(elapsed)} ms`)
  console.log(`solveAsync: ${Math.round(elapsed)} ms of search, the 5 ms timer fired ${ticks} times meanwhile`)
})
