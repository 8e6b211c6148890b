// The engine types as TypeScript sees them: declarations generated from the core's Rust types
// (engine-types.d.ts), so a value of the wrong shape is refused before it reaches the engine.
// Type-checked by `tsc --noEmit` (each `@ts-expect-error` line must be an error, or tsc
// fails) and run by bindings-node/test.sh.
import {
  ChurnEngine,
  LoyaltyProgram,
  solve,
  type ChurnInput,
  type ChurnScore,
  type DecimalString,
  type LoyaltyEntry,
  type LoyaltyEvent,
  type RedemptionRequest,
  type RoutingPlan,
  type RoutingProblem,
  type Tier,
} from 'earlybird'

// Loyalty: events are a union tagged by `type`; money is a decimal string, instants are ISO
// strings or Dates.
const paid: LoyaltyEvent = {
  type: 'payment_received',
  payment: { id: 'PAY_1', customerId: 'CUST_1', amount: '2500.00', method: 'upi', date: '2026-11-02' },
  at: new Date('2026-11-02T01:30:00Z'),
}
// @ts-expect-error money is a decimal string, never a JS number
const asNumber: LoyaltyEvent = { type: 'wallet_top_up', customerId: 'CUST_1', topUpId: 'T1', amount: 500, at: '2026-11-02T02:00:00Z' }
// @ts-expect-error keys are camelCase: `customer_id` is not a field of the declaration
const snakeKey: LoyaltyEvent = { type: 'order_delivered', customer_id: 'CUST_1', orderId: 'ORD_1', at: '2026-11-03T01:00:00Z' }
// @ts-expect-error an event type the engine does not know
const unknownEvent: LoyaltyEvent = { type: 'payment_recieved', customerId: 'CUST_1', at: '2026-11-02T01:30:00Z' }
// @ts-expect-error tiers are the canonical upper-case names
const misspelled: Tier = 'GOLDEN'
void [asNumber, snakeKey, unknownEvent, misspelled]

const program = new LoyaltyProgram()
const applied = program.apply(paid)
const earned: LoyaltyEntry[] = applied.entries
for (const entry of earned) {
  // The ledger line's own fields depend on its kind: the union narrows on `kind`.
  if (entry.kind === 'earn') console.log(entry.points, entry.base, entry.multiplier, entry.tier)
}
const request: RedemptionRequest = {
  customerId: 'CUST_1',
  key: 'EB/26-27/000001',
  points: 100,
  billCharges: '600.00',
  at: '2026-11-05T00:00:00Z',
}
const amount: DecimalString = program.redeem(request).redemption.amount
console.log(`redeemed Rs ${amount}`)

// Routing: optional fields of the input (service minutes, demand, options) may be left out.
const problem: RoutingProblem = {
  depot: { lat: 12.97, lon: 77.59 },
  stops: [
    { id: 'A', location: { lat: 12.98, lon: 77.6 }, timeWindow: { start: 360, end: 480 } },
    { id: 'B', location: { lat: 12.96, lon: 77.58 }, serviceMinutes: 2 },
  ],
  vehicles: [{ id: 'V1', shiftStart: 330, shiftEnd: 600 }],
  options: { seed: 7, iterationLimit: 200 },
}
// @ts-expect-error a vehicle without its shift is refused
const noShift: RoutingProblem = { ...problem, vehicles: [{ id: 'V2' }] }
void noShift
const plan: RoutingPlan = solve(problem)
console.log(plan.routes.map((r) => r.visits.map((v) => v.stopId).join(' > ')), plan.vehiclesUsed)

// Churn: every signal group optional; the score is a decimal string, the band a closed set.
const input: ChurnInput = {
  signupDate: '2026-01-10',
  purchases: [{ date: '2026-10-01', amount: '120.00' }, { date: '2026-10-20', amount: '80.00' }],
  payments: { overdueAmount: '0.00', overdueDays: 0, failedPayments: 0 },
}
const churn: ChurnScore = new ChurnEngine().score(input, '2026-11-30')
const band: 'low' | 'medium' | 'high' = churn.band
console.log(churn.score, band, churn.action)
