// Per-call cost of the mobile binding on the JVM (JNA + UniFFI serialisation + the core),
// for the same calls as benches/src/bin/mobile_core.rs. Prints `<name> <nanoseconds per call>`.

import app.earlybird.*
import java.math.BigDecimal

const val ORDER = """{"id": "ORD_7", "customer_id": "CUST_001",
  "items": [{"product_id": "MILK_500ML", "quantity": 2, "unit_price": "28.50"},
            {"product_id": "PANEER_200G", "quantity": 1, "unit_price": "90"}],
  "delivery_date": "2026-01-15", "status": "OUT_FOR_DELIVERY",
  "created_at": "2026-01-14T18:30:00Z"}"""

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
    System.err.println("checksum $sink")
}
