// Billing, activation and churn from Node: a month billed off the event loop and finalized
// with GST numbers, a customer's activation replayed and swept, churn scored and ranked.
// Money is always a decimal string, dates YYYY-MM-DD, instants ISO strings (or Dates).
// Type-checked by `tsc --noEmit` and run by bindings-node/test.sh.
import {
  allocatePayments,
  billMonthAsync,
  ChurnEngine,
  cohortRetention,
  cohortText,
  computeBill,
  CustomerActivation,
  finalizeAll,
  reconcile,
  sweepAsync,
  type Bill,
  type BillingInput,
  type ChurnInput,
  type CustomerHistory,
} from 'earlybird'

// Billing: the host loads the month's records (documents as MongoDB holds them).
const input: BillingInput = {
  products: [{ id: 'MILK', name: 'Milk 1L', prices: [{ price: '28.00', effective_from: '2025-01-01' }] }],
  subscriptions: [
    { id: 'S1', customer_id: 'C1', product_id: 'MILK', quantity: '1', schedule: 'daily', start_date: '2026-01-01' },
  ],
  deliveries: [1, 2, 3].map((day) => ({
    id: `D${day}`,
    customer_id: 'C1',
    date: `2026-01-0${day}`,
    subscription_id: 'S1',
    product_id: 'MILK',
    ordered_quantity: '1',
    delivered_quantity: '1',
    status: 'DELIVERED',
  })),
}
const drafts: Bill[] = await billMonthAsync(input, '2026-01') // on the libuv pool
const { bills, series } = finalizeAll(drafts, [], { financialYear: 2025, last: 122 })
console.log(bills[0].number, bills[0].total, bills[0].dueDate) // EB/25-26/000123 84.00 2026-02-08
console.log(series.last, computeBill(input, 'C1', '2026-01').amountDue)
console.log(reconcile({ ...input, bills }, '2026-01').totalMissing) // 0: every delivery billed once
const statement = allocatePayments('C1', bills, [{ id: 'P1', customerId: 'C1', amount: '50.00', method: 'upi', date: '2026-02-02' }], '2026-02-03')
console.log(statement.bills[0].status, statement.balance) // PARTIALLY_PAID 34.00
try {
  computeBill({ ...input, products: [{ ...input.products![0], prices: [{ price: 28, effective_from: '2025-01-01' }] }] }, 'C1', '2026-01')
} catch (err) {
  const { code, problems } = err as Error & { code: string; problems: Array<{ field: string }> }
  console.log(code, problems[0].field) // VALIDATION_FAILED products[0].prices[0].price
}

// Activation: replay a customer's events, then let mornings pass.
const history: CustomerHistory = {
  customerId: 'C1',
  events: [
    { customerId: 'C1', kind: 'signed_up', at: '2026-01-01T04:30:00Z', sequence: 1 },
    { customerId: 'C1', kind: 'order_placed', at: '2026-01-02T04:30:00Z', sequence: 2, orderId: 'O1' },
    { customerId: 'C1', kind: 'delivery_completed', at: new Date('2026-01-03T01:30:00Z'), sequence: 3, orderId: 'O1' },
  ],
}
const customer = new CustomerActivation(history, '2026-01-05T00:00:00Z')
console.log(customer.state, customer.intents().map((i) => i.template).join(', '))
const { transitions } = await sweepAsync([customer.snapshot()], '2026-03-01T00:00:00Z')
console.log(transitions.map((t) => `${t.customerId} ${t.transition.from} → ${t.transition.to}`))
const table = cohortRetention([{ signedUpOn: '2026-01-01', activity: ['2026-01-03', '2026-02-10'] }], 'month', '2026-02-28')
console.log(cohortText(table, 3))

// Churn: score and rank, with the reasons staff act on.
const engine = new ChurnEngine({ bands: { mediumFrom: '25', highFrom: '55' } })
const quiet: ChurnInput = { signupDate: '2026-06-01', purchases: [{ date: '2026-09-14', amount: '56.00' }] }
const score = engine.score(quiet, '2026-11-25')
console.log(score.score, score.band, score.reasons, score.action)
const ranked = await engine.rankAsync([quiet, { signupDate: '2025-01-01', purchases: [{ date: '2026-11-24', amount: '28.00' }] }], '2026-11-25')
console.log(ranked.map((r) => `${r.index}: ${r.churn.score}`))
