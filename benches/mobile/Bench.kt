// Per-call cost of the mobile binding on the JVM (JNA + UniFFI serialisation + the core),
// for the same calls as benches/src/bin/mobile_core.rs. Prints `<name> <nanoseconds per call>`.

import app.earlybird.*
import java.math.BigDecimal
import java.time.LocalDate
import java.time.YearMonth

const val ORDER = """{"id": "ORD_7", "customer_id": "CUST_001",
  "items": [{"product_id": "MILK_500ML", "quantity": 2, "unit_price": "28.50"},
            {"product_id": "PANEER_200G", "quantity": 1, "unit_price": "90"}],
  "delivery_date": "2026-01-15", "status": "OUT_FOR_DELIVERY",
  "created_at": "2026-01-14T18:30:00Z"}"""

/** A customer's January so far: daily milk at Rs 60, the first 20 days delivered. */
fun monthOfMilk(): String {
    val deliveries = (1..20).joinToString(", ") { d ->
        val date = "2026-01-%02d".format(d)
        """{"id": "D$d", "customer_id": "C1", "date": "$date", "subscription_id": "S1", "product_id": "MILK", "ordered_quantity": "1", "delivered_quantity": "1", "status": "DELIVERED"}"""
    }
    return """{"products": [{"id": "MILK", "name": "Milk 1L", "prices": [{"price": "60.00", "effective_from": "2025-01-01"}]}], "subscriptions": [{"id": "S1", "customer_id": "C1", "product_id": "MILK", "quantity": "1", "schedule": "daily", "start_date": "2026-01-01"}], "deliveries": [$deliveries]}"""
}

/** The customer of the shared case churn/score_payment_trouble.json. */
const val CHURN_INPUT = """{"signup_date": "2025-01-10", "purchases": [{"date": "2026-11-20", "amount": "28.00"}, {"date": "2026-11-22", "amount": "28.00"}, {"date": "2026-11-24", "amount": "28.00"}], "payments": {"overdue_amount": "1250.00", "overdue_days": 20, "failed_payments": 1}, "deliveries": {"delivered": 28, "partially_delivered": 1, "not_delivered": 0}, "subscription": {"cancelled": false, "paused_days": 0, "scheduled_deliveries": 30, "skipped_deliveries": 1}, "service": {"complaints": 0, "disputes": 0}}"""

var sink = 0L

fun measure(name: String, calls: Int, call: () -> Any?) {
    repeat(calls / 5) { sink += call().hashCode() }
    val start = System.nanoTime()
    repeat(calls) { sink += call().hashCode() }
    println("$name ${(System.nanoTime() - start) / calls}")
}

fun main() {
    val order = parseOrder(ORDER)
    val actor = Actor("DB_7", java.time.Instant.parse("2026-01-15T01:10:00Z"))
    val delivered = listOf(BigDecimal("2"), BigDecimal.ZERO)
    measure("normalize_phone", 200_000) { normalizePhone("098765 43210") }
    measure("parse_order", 50_000) { parseOrder(ORDER) }
    measure("confirm_delivery", 50_000) { confirmDelivery(order, delivered, null, actor) }
    measure("order_to_json", 50_000) { orderToJson(order) }
    val month = parseBillingInput(monthOfMilk())
    val config = defaultBillingConfig()
    measure("preview_bill", 2_000) { previewBill(month, "C1", YearMonth.of(2026, 1), config) }
    ChurnEngine(defaultChurnConfig()).use { engine ->
        val customer = parseChurnInput(CHURN_INPUT)
        measure("churn_score", 20_000) { engine.score(customer, LocalDate.of(2026, 11, 25)) }
    }
    System.err.println("checksum $sink")
}
