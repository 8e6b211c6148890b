// A tour of the Node binding: read MongoDB documents, walk an order through its lifecycle,
// ask a subscription for its due dates, and handle errors by their stable code.
// Type-checked by `tsc --noEmit` and run by bindings-node/test.sh.
import {
  confirmDelivery,
  dispatch,
  dueBetween,
  normalizePhone,
  orderDocument,
  parseManyAsync,
  parseOrder,
  parseSubscription,
  priceOn,
  parseProduct,
  type Actor,
  type FieldProblem,
  type Order,
  type OrderOutcome,
} from 'earlybird'

// A document as the `orders` collection holds it: money may be a JSON number there.
const order: Order = parseOrder({
  id: 'ORD_1',
  customer_id: 'CUST_001',
  items: [{ product_id: 'MILK_500ML', quantity: 2, unit_price: '28.50' }],
  delivery_date: '2026-01-15',
  status: 'PENDING',
})
console.log(order.items[0].unitPrice) // "28.50": money is a decimal string

// Instants are RFC 3339 strings; any offset is accepted, results are written in UTC.
const boy: Actor = { id: 'DB_7', at: '2026-01-15T06:40:00+05:30' }
const out: OrderOutcome = dispatch(order, boy)
const done = confirmDelivery(out.order, ['1'], 'one packet short', boy)
console.log(done.order.status, done.deliveries.length, done.audit[0].action)
console.log(orderDocument(done.order)) // the canonical stored form, snake_case keys

// Errors are `Error`s with a stable `code`, and every field problem for validation.
try {
  confirmDelivery(done.order, ['2'], null, boy)
} catch (err) {
  const { code, message } = err as Error & { code: string }
  console.log(code, message) // LIFECYCLE_CONFLICTING_CONFIRMATION
}
try {
  parseOrder({ id: '', status: 'SHIPPED', items: [] })
} catch (err) {
  const problems = (err as Error & { problems: FieldProblem[] }).problems
  console.log(problems.map((p) => `${p.field}: ${p.rule}`).join(', '))
}

// Dates are YYYY-MM-DD strings.
const subscription = parseSubscription({
  id: 'SUB_1',
  customer_id: 'CUST_001',
  product_id: 'MILK_500ML',
  quantity: '1',
  schedule: 'alternate_days',
  start_date: '2026-01-01',
})
console.log(dueBetween(subscription, '2026-01-01', '2026-01-07').map((d) => d.date))
const milk = parseProduct({
  id: 'MILK_500ML',
  name: 'Milk 500 ml',
  prices: [{ price: '28.00', effective_from: '2026-01-01' }],
})
console.log(priceOn(milk, '2026-01-15'), normalizePhone('098450 12345'))

// A heavy batch runs on the libuv pool; the Promise resolves with every record or problem.
const batch = await parseManyAsync('order', [orderDocument(order), { id: 'broken' }])
console.log(batch.records.length, batch.failures[0]?.index, batch.failures[0]?.problems.length)
