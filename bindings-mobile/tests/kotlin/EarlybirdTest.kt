// The mobile binding's test suite, run on the JVM against the host build of the library:
// typed records, validation errors, delivery confirmation, schedules, the engines
// (EnginesTest.kt), and a replay of every shared case in tests/cases through the binding's
// typed API. Ends with "N passed, N failed".

package earlybird.test

import app.earlybird.*
import java.io.File
import java.math.BigDecimal
import java.time.LocalDate
import kotlin.system.exitProcess

class Suite {
    var passed = 0
    var failed = 0

    fun test(name: String, body: () -> Unit) {
        try {
            body()
            passed++
            println("ok   $name")
        } catch (e: Throwable) {
            failed++
            println("FAIL $name\n     $e")
        }
    }
}

fun check(condition: Boolean, message: () -> String) {
    if (!condition) throw AssertionError(message())
}

fun <T> assertEquals(expected: T, actual: T) =
    check(expected == actual) { "expected <$expected>, got <$actual>" }

inline fun <reified E : Throwable> assertThrows(body: () -> Unit): E {
    try {
        body()
    } catch (e: Throwable) {
        if (e is E) return e
        throw AssertionError("expected ${E::class.simpleName}, got $e")
    }
    throw AssertionError("expected ${E::class.simpleName}, nothing was thrown")
}

/** The stable code of any binding error; exhaustive, so a new error variant must be added. */
fun EarlybirdException.errorCode(): String = when (this) {
    is EarlybirdException.Validation -> code
    is EarlybirdException.InvalidTransition -> code
    is EarlybirdException.OrderCancelled -> code
    is EarlybirdException.ConflictingConfirmation -> code
    is EarlybirdException.NotConfirmed -> code
    is EarlybirdException.NothingToCorrect -> code
    is EarlybirdException.CorrectionToNothing -> code
    is EarlybirdException.Billing -> code
    is EarlybirdException.Activation -> code
    is EarlybirdException.Loyalty -> code
    is EarlybirdException.Churn -> code
    is EarlybirdException.Store -> code
    is EarlybirdException.NotFound -> code
}

fun EarlybirdException.fieldProblems(): List<FieldProblem> =
    if (this is EarlybirdException.Validation) problems else emptyList()

val at: java.time.Instant = java.time.Instant.parse("2026-01-15T01:10:00Z")
val courier = Actor("DB_7", at)
fun day(text: String): LocalDate = LocalDate.parse(text)
fun amounts(vararg values: String): List<BigDecimal> = values.map { BigDecimal(it) }

const val ORDER = """{"id": "ORD_7", "customer_id": "CUST_001",
  "items": [{"product_id": "MILK_500ML", "quantity": 2, "unit_price": "28.50"},
            {"product_id": "PANEER_200G", "quantity": 1, "unit_price": "90"}],
  "delivery_date": "2026-01-15", "status": "OUT_FOR_DELIVERY",
  "created_at": "2026-01-14T18:30:00Z"}"""

fun typedApi(suite: Suite) {
    suite.test("an order document parses into typed values, money keeping its scale") {
        val order = parseOrder(ORDER)
        assertEquals("ORD_7", order.id)
        assertEquals(OrderStatus.OUT_FOR_DELIVERY, order.status)
        assertEquals(day("2026-01-15"), order.deliveryDate)
        assertEquals(BigDecimal("28.50"), order.items[0].unitPrice)
        assertEquals("28.50", order.items[0].unitPrice.toPlainString())
        assertEquals(java.time.Instant.parse("2026-01-14T18:30:00Z"), order.createdAt)
        assertEquals(null, order.items[1].deliveredQuantity)
        check(orderToJson(order).contains("\"unit_price\":\"28.50\"")) { orderToJson(order) }
    }

    suite.test("every problem of a bad document is listed with field, rule, value and message") {
        val e = assertThrows<EarlybirdException.Validation> {
            parseOrder("""{"id": "ORD_1", "customer_id": "CUST_001",
              "items": [{"product_id": "MILK_500ML", "quantity": -1, "unit_price": "28.50"}],
              "delivery_date": "2026-02-30", "status": "SHIPPED"}""")
        }
        assertEquals("VALIDATION_FAILED", e.code)
        assertEquals(listOf("status", "items[0].quantity", "delivery_date"), e.problems.map { it.field })
        assertEquals(listOf(Rule.UNKNOWN_VALUE, Rule.POSITIVE, Rule.DATE), e.problems.map { it.rule })
        assertEquals(listOf("SHIPPED", "-1", "2026-02-30"), e.problems.map { it.value })
        check(e.problems.all { it.message.isNotBlank() }) { "a problem without a message" }
        assertEquals("unknown_value", ruleCode(Rule.UNKNOWN_VALUE))
        check(e.detail.startsWith("3 invalid field(s)")) { e.detail }
    }

    suite.test("JSON that is not JSON is a validation error, not a crash") {
        val e = assertThrows<EarlybirdException.Validation> { parseCustomer("{not json") }
        check(e.problems.isNotEmpty()) { "no problem listed" }
    }

    suite.test("a record built in app code is validated by the same rules") {
        val customer = Customer(
            id = "CUST_9", name = "Priya", phone = "12345", email = "priya@localhost",
            address = null, lat = 91.0, lon = null, userId = null, deliveryBoyId = null,
            signupDate = day("2026-01-01"), referredBy = "CUST_9",
        )
        val e = assertThrows<EarlybirdException.Validation> { validateCustomer(customer) }
        assertEquals(listOf("phone", "email", "lat", "referred_by"), e.problems.map { it.field })
        validateCustomer(customer.copy(phone = "+919876543210", email = null, lat = 12.9, referredBy = null))
    }

    suite.test("phones normalise to +91 and landlines are refused") {
        assertEquals("+919876543210", normalizePhone("098765 43210"))
        assertEquals(null, normalizePhone("0802345678"))
        check(validEmail("a.b+milk@early-bird.co.in")) { "valid e-mail refused" }
    }

    suite.test("a partial delivery becomes PARTIALLY_DELIVERED, traced per item and audited") {
        val done = confirmDelivery(parseOrder(ORDER), amounts("2", "0"), null, courier)
        assertEquals(Effect.CHANGED, done.effect)
        assertEquals(OrderStatus.PARTIALLY_DELIVERED, done.order.status)
        assertEquals(listOf(DeliveryStatus.DELIVERED, DeliveryStatus.NOT_DELIVERED), done.deliveries.map { it.status })
        assertEquals(DeliverySource.Order("ORD_7"), done.deliveries[0].source)
        assertEquals(at, done.deliveries[0].confirmedAt)
        assertEquals(1, done.audit.size)
        assertEquals("delivery_confirmed", done.audit[0].action)
        check(done.audit[0].after!!.contains("PARTIALLY_DELIVERED")) { "audit snapshot: ${done.audit[0].after}" }
    }

    suite.test("confirming again with the same quantities is an idempotent no-op") {
        val first = confirmDelivery(parseOrder(ORDER), amounts("2", "1"), null, courier)
        assertEquals(OrderStatus.DELIVERED, first.order.status)
        val again = confirmDelivery(first.order, amounts("2.000", "1"), null, courier)
        assertEquals(Effect.UNCHANGED, again.effect)
        assertEquals(first.order, again.order)
        assertEquals(0, again.audit.size)
        assertEquals(0, again.deliveries.size)
    }

    suite.test("a conflicting second confirmation names both versions") {
        val first = confirmDelivery(parseOrder(ORDER), amounts("2", "1"), null, courier)
        val e = assertThrows<EarlybirdException.ConflictingConfirmation> {
            confirmDelivery(first.order, amounts("1", "1"), null, courier)
        }
        assertEquals("LIFECYCLE_CONFLICTING_CONFIRMATION", e.code)
        assertEquals("ORD_7", e.id)
        assertEquals("[2, 1]", e.recorded)
        assertEquals("[1, 1]", e.requested)
        val corrected = correctDelivery(first.order, amounts("1", "1"), "one bottle broke", courier)
        assertEquals(OrderStatus.PARTIALLY_DELIVERED, corrected.order.status)
        assertEquals("one bottle broke", corrected.audit[0].reason)
    }

    suite.test("a cancelled order's delivery cannot be confirmed") {
        val cancelled = cancelOrder(parseOrder(ORDER), courier).order
        assertEquals(OrderStatus.CANCELLED, cancelled.status)
        val e = assertThrows<EarlybirdException.OrderCancelled> {
            confirmDelivery(cancelled, amounts("2", "1"), null, courier)
        }
        assertEquals("LIFECYCLE_ORDER_CANCELLED", e.errorCode())
        assertEquals("ORD_7", e.orderId)
        assertEquals(emptyList<FieldProblem>(), e.fieldProblems())
    }

    suite.test("nothing delivered leaves the order open with the reason audited") {
        val failed = confirmDelivery(parseOrder(ORDER), amounts("0", "0"), "door locked", courier)
        assertEquals(Effect.DELIVERY_FAILED, failed.effect)
        assertEquals(OrderStatus.OUT_FOR_DELIVERY, failed.order.status)
        assertEquals("door locked", failed.audit[0].reason)
    }

    suite.test("too much delivered is a validation error on the item") {
        val e = assertThrows<EarlybirdException.Validation> {
            confirmDelivery(parseOrder(ORDER), amounts("3", "1"), null, courier)
        }
        assertEquals(listOf("delivered[0]"), e.problems.map { it.field })
        assertEquals(Rule.RANGE, e.problems[0].rule)
    }

    suite.test("a value the core cannot hold is a validation error, not an internal error") {
        val e = assertThrows<EarlybirdException.Validation> {
            confirmDelivery(parseOrder(ORDER), amounts("1E+40", "1"), null, courier)
        }
        assertEquals(listOf("Amount"), e.problems.map { it.field })
        assertEquals(Rule.DECIMAL, e.problems[0].rule)
        assertEquals("1" + "0".repeat(40), e.problems[0].value)
    }

    suite.test("a pending order cannot be confirmed, only dispatched") {
        val pending = parseOrder(ORDER.replace("OUT_FOR_DELIVERY", "PENDING"))
        val e = assertThrows<EarlybirdException.InvalidTransition> {
            confirmDelivery(pending, amounts("2", "1"), null, courier)
        }
        assertEquals(OrderStatus.PENDING, e.from)
        assertEquals(OrderStatus.OUT_FOR_DELIVERY, dispatchOrder(pending, courier).order.status)
    }

    suite.test("subscription deliveries are recorded once, repeats are no-ops, changes conflict") {
        val delivery = parseDelivery("""{"id": "SUB_1@2026-01-15", "customer_id": "CUST_001",
          "date": "2026-01-15", "subscription_id": "SUB_1", "product_id": "MILK_500ML",
          "ordered_quantity": "1", "delivered_quantity": "1", "status": "DELIVERED"}""")
        val first = recordDelivery(null, delivery, courier)
        assertEquals(Effect.CHANGED, first.effect)
        assertEquals(at, first.delivery.confirmedAt)
        assertEquals(DeliverySource.Subscription("SUB_1"), first.delivery.source)
        assertEquals(Effect.UNCHANGED, recordDelivery(first.delivery, delivery, courier).effect)
        val partial = delivery.copy(deliveredQuantity = BigDecimal("0.5"), status = DeliveryStatus.PARTIALLY_DELIVERED)
        assertThrows<EarlybirdException.ConflictingConfirmation> { recordDelivery(first.delivery, partial, courier) }
        val corrected = correctRecordedDelivery(first.delivery, partial, "half litre only", courier)
        assertEquals("half litre only", corrected.delivery.reason)
        check(deliveryOutcomeToJson(corrected).contains("\"delivered_quantity\":\"0.5\"")) { "canonical JSON" }
    }

    suite.test("schedules: due dates skip pauses and custom schedules carry per-day quantities") {
        val sub = parseSubscription("""{"id": "SUB_1", "customer_id": "CUST_001",
          "product_id": "MILK_500ML", "quantity": "1",
          "schedule": {"kind": "custom", "quantities": {"sat": "2", "mon": 1}},
          "start_date": "2026-01-01", "pauses": [{"from": "2026-01-10", "to": "2026-01-12"}]}""")
        assertEquals(
            DeliverySchedule.Custom(mapOf(Weekday.SAT to BigDecimal("2"), Weekday.MON to BigDecimal("1"))),
            sub.schedule,
        )
        val due = subscriptionDueBetween(sub, day("2026-01-01"), day("2026-01-19"))
        assertEquals(listOf("2026-01-03", "2026-01-05", "2026-01-17", "2026-01-19"), due.map { it.date.toString() })
        assertEquals(listOf("2", "1", "2", "1"), due.map { it.quantity.toPlainString() })
        check(subscriptionIsPausedOn(sub, day("2026-01-10"))) { "pause not seen" }
        assertEquals(null, subscriptionDueOn(sub, day("2026-01-10")))
        assertEquals(BigDecimal("2"), subscriptionDueOn(sub, day("2026-01-24")))
        check(subscriptionRunsOn(sub, day("2026-01-24"))) { "should run" }
        val daily = sub.copy(schedule = DeliverySchedule.Daily, pauses = emptyList())
        assertEquals(3, subscriptionDueBetween(daily, day("2026-01-01"), day("2026-01-03")).size)
        check(subscriptionToJson(daily).contains("\"schedule\":{\"kind\":\"daily\"}")) { subscriptionToJson(daily) }
    }

    suite.test("product prices and GST follow their history") {
        val milk = parseProduct("""{"id": "P1", "name": "Milk", "gst_rate": "5", "prices": [
          {"price": "28.00", "effective_from": "2026-01-01"},
          {"price": "30.00", "effective_from": "2026-01-16"}]}""")
        assertEquals("28.00", productPriceOn(milk, day("2026-01-15"))!!.toPlainString())
        assertEquals("30.00", productPriceOn(milk, day("2026-01-16"))!!.toPlainString())
        assertEquals(null, productPriceOn(milk, day("2025-12-31")))
        assertEquals(BigDecimal("5"), productGstRateOn(milk, day("2026-01-16")))
    }

    suite.test("a dataset reports unknown references and duplicate ids together") {
        val order = parseOrder(ORDER)
        val payment = parsePayment("""{"id": "PAY_1", "customer_id": "CUST_404", "amount": "100.00",
          "method": "UPI", "date": "2026-01-15"}""")
        val customer = parseCustomer("""{"id": "CUST_001", "name": "Priya", "phone": "9876543210",
          "signup_date": "2026-01-01"}""")
        val dataset = Dataset(listOf(customer), emptyList(), emptyList(), listOf(order, order), emptyList(), listOf(payment))
        val e = assertThrows<EarlybirdException.Validation> { validateReferences(dataset) }
        assertEquals(listOf("orders[1].id", "payments[0].customer_id"), e.problems.map { it.field })
        assertEquals(listOf(Rule.DUPLICATE, Rule.UNKNOWN_REFERENCE), e.problems.map { it.rule })
        check(datasetToJson(dataset).contains("\"method\":\"upi\"")) { "canonical payment method" }
    }
}

// ---- replay of the shared cases ---------------------------------------------------------

@Suppress("UNCHECKED_CAST")
fun Any?.obj(): Map<String, Any?> = this as? Map<String, Any?> ?: error("expected an object, got $this")
fun Any?.text(): String = this as? String ?: error("expected a string, got $this")

fun actor(input: Map<String, Any?>): Actor {
    val a = input["actor"].obj()
    return Actor(a["id"].text(), java.time.Instant.parse(a["at"].text()))
}

fun delivered(input: Map<String, Any?>): List<BigDecimal> =
    (input["delivered"] as? List<*> ?: error("delivered must be a list")).map { BigDecimal(it.text()) }

fun document(value: Any?): String = Json.write(value.obj())

/** One operation of the case format, through the binding's typed functions; canonical JSON out. */
fun run(operation: String, input: Map<String, Any?>): String = when (operation) {
    "record.parse" -> {
        val doc = document(input["document"])
        when (val kind = input["kind"].text()) {
            "customer" -> customerToJson(parseCustomer(doc))
            "product" -> productToJson(parseProduct(doc))
            "subscription" -> subscriptionToJson(parseSubscription(doc))
            "order" -> orderToJson(parseOrder(doc))
            "delivery" -> deliveryToJson(parseDelivery(doc))
            "payment" -> paymentToJson(parsePayment(doc))
            else -> error("unknown record kind $kind")
        }
    }
    "phone.normalize" -> Json.write(normalizePhone(input["phone"].text()) ?: throw PhoneRefused())
    "schedule.due_between" -> dueDeliveriesToJson(
        subscriptionDueBetween(
            parseSubscription(document(input["subscription"])),
            day(input["from"].text()),
            day(input["to"].text()),
        )
    )
    "lifecycle.dispatch" -> orderOutcomeToJson(dispatchOrder(parseOrder(document(input["order"])), actor(input)))
    "lifecycle.cancel" -> orderOutcomeToJson(cancelOrder(parseOrder(document(input["order"])), actor(input)))
    "lifecycle.confirm_delivery" -> orderOutcomeToJson(
        confirmDelivery(parseOrder(document(input["order"])), delivered(input), input["reason"] as String?, actor(input))
    )
    "lifecycle.correct_delivery" -> orderOutcomeToJson(
        correctDelivery(parseOrder(document(input["order"])), delivered(input), input["reason"].text(), actor(input))
    )
    else -> runLoyalty(operation, input) ?: runEngine(operation, input)
}

/** `normalizePhone` answers null; the cases write that as the core's phone problem. */
class PhoneRefused : Exception()
class UnknownOperation(operation: String) : Exception("unknown operation $operation: expose it in the binding")

fun errorJson(e: Throwable): Any? = when (e) {
    is EarlybirdException -> mapOf(
        "code" to e.errorCode(),
        "problems" to e.fieldProblems().map { mapOf("field" to it.field, "rule" to ruleCode(it.rule)) },
    )
    is PhoneRefused -> mapOf(
        "code" to "VALIDATION_FAILED",
        "problems" to listOf(mapOf("field" to "phone", "rule" to "phone")),
    )
    else -> throw e
}

/**
 * Engines this binding does not expose yet (issue 11 lists them): their cases are counted and
 * named in the output, never run and never passed. Remove an engine here when it lands.
 */
val PENDING_ENGINES = emptyList<String>()

fun replay(suite: Suite, casesDir: File) {
    val files = casesDir.walkTopDown().filter { it.isFile && it.extension == "json" }.sortedBy { it.path }.toList()
    check(files.isNotEmpty()) { "no case files under $casesDir" }
    var replayed = 0
    val pending = mutableListOf<String>()
    for (file in files) {
        val name = file.relativeTo(casesDir).path
        val parsed = Json.parse(file.readText())
        val first = (if (parsed is List<*>) parsed.firstOrNull() else parsed).obj()
        if (PENDING_ENGINES.any { first["operation"].text().startsWith(it) }) {
            pending.add(name)
            continue
        }
        val cases = if (parsed is List<*>) parsed else listOf(parsed)
        for ((i, one) in cases.withIndex()) suite.test(if (cases.size == 1) "case $name" else "case $name #${i + 1}") {
            val case = one.obj()
            val input = case["input"].obj()
            val actual: Any? = try {
                mapOf("expected" to Json.parse(run(case["operation"].text(), input)))
            } catch (e: EarlybirdException) {
                mapOf("expected_error" to errorJson(e))
            } catch (e: PhoneRefused) {
                mapOf("expected_error" to errorJson(e))
            }
            val wanted = when {
                "expected" in case -> mapOf("expected" to case["expected"])
                "expected_error" in case -> mapOf("expected_error" to case["expected_error"])
                else -> error("the case has no expectation")
            }
            check(actual == wanted) { "\n     wanted ${Json.write(wanted)}\n     got    ${Json.write(actual)}" }
            replayed++
        }
    }
    println("replayed ${files.size - pending.size} case files, $replayed cases identical to the core")
    println("${pending.size} case files PENDING (engines not exposed in the mobile binding yet): ${pending.joinToString()}")
}

fun main(args: Array<String>) {
    val casesDir = File(args.getOrElse(0) { "tests/cases" })
    val suite = Suite()
    check(version().isNotEmpty()) { "no version" }
    typedApi(suite)
    offlineSuite(suite)
    enginesApi(suite)
    replay(suite, casesDir)
    println("${suite.passed} passed, ${suite.failed} failed")
    exitProcess(if (suite.failed == 0) 0 else 1)
}
