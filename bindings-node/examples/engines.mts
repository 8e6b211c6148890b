// The loyalty programme and the route optimizer from Node: events in, points, tiers and
// leaderboards out; a problem in, tomorrow's routes out, optimized off the event loop.
// Type-checked by `tsc --noEmit` and run by bindings-node/test.sh.
import {
  LoyaltyProgram,
  nearestNeighbourPlan,
  renderSvg,
  solveAsync,
  validatePlan,
  type LoyaltyEvent,
  type RoutingPlan,
  type RoutingProblem,
} from 'earlybird'

// Loyalty: one programme per process (or per request, rebuilt from stored events).
const program = new LoyaltyProgram({ referralBonus: 150 }) // other settings keep their defaults
const events: LoyaltyEvent[] = [
  {
    type: 'payment_received',
    payment: { id: 'PAY_1', customerId: 'CUST_001', amount: '1200.50', method: 'upi', date: '2026-11-02' },
    at: '2026-11-02T07:00:00+05:30',
  },
  { type: 'order_delivered', customerId: 'CUST_001', orderId: 'ORD_1', at: new Date('2026-11-03T01:00:00Z') },
  { type: 'referral_completed', referrerId: 'CUST_001', referredId: 'CUST_002', at: '2026-11-04T01:00:00Z' },
]
for (const event of events) program.apply(event)

const preview = program.previewRedemption('CUST_001', '600.00', '2026-11-05T00:00:00Z')
console.log(`can redeem ${preview.maxPoints} points = Rs ${preview.maxAmount}`)
const { redemption } = program.redeem({
  customerId: 'CUST_001',
  key: 'EB/26-27/000123',
  points: preview.maxPoints,
  billCharges: '600.00',
  at: '2026-11-05T00:00:00Z',
})
console.log(`credit line of Rs ${redemption.amount}`)
try {
  program.redeem({ customerId: 'CUST_001', key: 'again', points: 10, billCharges: '600', at: '2026-11-05T00:00:00Z' })
} catch (err) {
  const { code } = err as Error & { code: string }
  console.log(code) // LOYALTY_BELOW_MINIMUM
}
const summary = program.summary('CUST_001', '2026-11-05T00:00:00Z')
console.log(summary?.tier.tier, summary?.balance, summary?.tier.pointsToNext)
const place = program.position('CUST_001', '2026-11-05T00:00:00Z')
console.log(`rank ${place.allTime?.rank} of ${place.allTime?.of}, percentile ${place.allTime?.percentile}`)
console.log(program.leaderboards('2026-11-05T00:00:00Z', 10).thisWeek.map((p) => p.customerId))

// Routing: times are minutes since midnight, capacities and demands numbers.
const problem: RoutingProblem = {
  depot: { lat: 12.9716, lon: 77.5946 },
  stops: [
    { id: 'CUST_001', location: { lat: 12.975, lon: 77.6 }, serviceMinutes: 2, demand: [2] },
    { id: 'CUST_002', location: { lat: 12.98, lon: 77.59 }, serviceMinutes: 2, demand: [1], timeWindow: { start: 330, end: 390 } },
    { id: 'CUST_003', location: { lat: 12.97, lon: 77.585 }, serviceMinutes: 2, demand: [1] },
  ],
  vehicles: [{ id: 'RAVI', capacity: [10], shiftStart: 300, shiftEnd: 420 }],
  options: { seed: 7, iterationLimit: 500, timeBudgetMs: null },
}
const plan: RoutingPlan = await solveAsync(problem) // the search runs on the libuv pool
console.log(plan.routes[0].visits.map((v) => `${v.stopId}@${v.arrival.toFixed(0)}`).join(' → '))
console.log(`${plan.totalDistance.toFixed(0)} m vs ${plan.comparison?.nearestNeighbour.distance.toFixed(0)} m nearest-neighbour`)
console.log(validatePlan(problem, plan).length === 0, validatePlan(problem, nearestNeighbourPlan(problem)).length === 0)
console.log(renderSvg(plan, 600, 400, 'Tomorrow').length, 'bytes of SVG')
