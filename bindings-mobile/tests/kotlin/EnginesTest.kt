// The engines the phone runs offline, through the binding's typed API: the bill preview and
// the bill, a customer's activation timeline, the churn score, and their errors; plus the
// replay of the shared billing, activation and churn cases (runEngine, called by run()).

package earlybird.test

import app.earlybird.*
import java.math.BigDecimal
import java.time.YearMonth

fun Any?.number(): String = (this as? JsonNumber)?.text ?: error("expected a number, got $this")
fun Any?.list(): List<Any?> = this as? List<*> ?: error("expected a list, got $this")
fun instant(value: Any?): java.time.Instant = java.time.Instant.parse(value.text())

/** Numbers compared by value (`5.5` equals `5.500`), for quantities whose scale is free. */
fun assertSameValue(expected: String, actual: BigDecimal) =
    check(BigDecimal(expected).compareTo(actual) == 0) { "expected <$expected>, got <${actual.toPlainString()}>" }

const val MILK = """{"id": "MILK", "name": "Milk 1L", "unit": "litre",
  "prices": [{"price": "60.00", "effective_from": "2025-01-01"}]}"""
const val PANEER = """{"id": "PANEER", "name": "Paneer 200g", "gst_rate": "5",
  "prices": [{"price": "90.00", "effective_from": "2025-01-01"}]}"""
const val MILK_SUBSCRIPTION = """{"id": "S1", "customer_id": "C1", "product_id": "MILK",
  "quantity": "1", "schedule": "daily", "start_date": "2026-01-01",
  "pauses": [{"from": "2026-01-10", "to": "2026-01-12"}]}"""

/** A subscription delivery of S1 on a January day. */
fun milkDelivery(dayOfMonth: Int, delivered: String, status: String): DeliveryRecord {
    val date = "2026-01-%02d".format(dayOfMonth)
    return parseDelivery("""{"id": "D$dayOfMonth", "customer_id": "C1", "date": "$date",
      "subscription_id": "S1", "product_id": "MILK", "ordered_quantity": "1",
      "delivered_quantity": "$delivered", "status": "$status"}""")
}

fun januaryOfMilk(): BillingInput = BillingInput(
    products = listOf(parseProduct(MILK)),
    subscriptions = listOf(parseSubscription(MILK_SUBSCRIPTION)),
    orders = emptyList(),
    deliveries = (1..5).map { milkDelivery(it, "1", "DELIVERED") } +
        milkDelivery(6, "0.5", "PARTIALLY_DELIVERED") + milkDelivery(7, "0", "NOT_DELIVERED"),
    bills = emptyList(),
    payments = emptyList(),
    credits = emptyList(),
    wallet = emptyList(),
)

fun paneerOrder(): BillingInput = BillingInput(
    products = listOf(parseProduct(PANEER)),
    subscriptions = emptyList(),
    orders = listOf(parseOrder("""{"id": "ORD_7", "customer_id": "C1", "delivery_date": "2026-01-15",
      "status": "DELIVERED", "items": [{"product_id": "PANEER", "quantity": 2, "unit_price": "90.00",
      "delivered_quantity": 2}]}""")),
    deliveries = emptyList(),
    bills = emptyList(),
    payments = emptyList(),
    credits = emptyList(),
    wallet = listOf(WalletEntry("W1", "C1", WalletEntryKind.TOP_UP, BigDecimal("50.00"), day("2026-01-05"), null, null)),
)

val january: YearMonth = YearMonth.of(2026, 1)

fun event(kind: EventKind, at: String, sequence: Int, order: String? = null) =
    ActivationEvent("C1", kind, java.time.Instant.parse(at), sequence.toULong(), order, null)

fun history(): CustomerHistory = CustomerHistory(
    "C1",
    listOf(
        event(EventKind.SIGNED_UP, "2026-01-01T04:30:00Z", 1),
        event(EventKind.ORDER_PLACED, "2026-01-02T04:30:00Z", 2, "O1"),
        event(EventKind.DELIVERY_COMPLETED, "2026-01-03T01:30:00Z", 3, "O1"),
    ),
    emptyList(),
)

/** The customer of the shared case churn/score_payment_trouble.json, built in Kotlin. */
fun owingCustomer(): ChurnInput = ChurnInput(
    signupDate = day("2025-01-10"),
    purchases = listOf("2026-11-20", "2026-11-22", "2026-11-24").map { Purchase(day(it), BigDecimal("28.00")) },
    deliveries = DeliverySignals(28u, 1u, 0u),
    subscription = SubscriptionSignals(false, 0u, 30u, 1u),
    payments = PaymentSignals(BigDecimal("1250.00"), 20u, 1u),
    service = ServiceSignals(0u, 0u),
)

fun enginesApi(suite: Suite) {
    suite.test("bill preview: delivered days billed, scheduled days without a record listed as unconfirmed") {
        val preview = previewBill(januaryOfMilk(), "C1", january, defaultBillingConfig())
        val bill = preview.bill
        assertEquals(BillStatus.DRAFT, bill.status)
        assertEquals(january, bill.month)
        assertEquals(day("2026-02-01"), bill.billDate)
        assertEquals(day("2026-02-08"), bill.dueDate)
        assertEquals(listOf(LineKind.SUBSCRIPTION), bill.lines.map { it.kind })
        val line = bill.lines[0]
        assertSameValue("5.5", line.quantity)
        assertEquals("60.00", line.unitPrice!!.toPlainString())
        assertEquals("330.00", line.amount.toPlainString())
        assertEquals((1..6).map { SourceRef.Delivery("D$it") }, line.sources.map { it.source })
        assertEquals("330.00", bill.total.toPlainString())
        assertEquals("330.00", bill.amountDue.toPlainString())
        // 8 and 9, then 13 to 31: the 10th to the 12th are paused, the 1st to the 7th recorded.
        val expected = listOf(8, 9) + (13..31)
        assertEquals(expected.map { day("2026-01-%02d".format(it)) }, preview.unconfirmed.map { it.date })
        check(preview.unconfirmed.all { it.subscriptionId == "S1" && it.quantity.compareTo(BigDecimal.ONE) == 0 }) {
            "unconfirmed: ${preview.unconfirmed}"
        }
        check(billToText(bill).contains("330.00")) { billToText(bill) }
        check(billPreviewToJson(preview).contains("\"unconfirmed\":[{\"subscription_id\":\"S1\"")) { "preview JSON" }
    }

    suite.test("bill computation: one-time order with GST, wallet applied, the wallet payment to store") {
        val bill = computeBill(paneerOrder(), "C1", january, defaultBillingConfig())
        val line = bill.lines.single()
        assertEquals(LineKind.ONE_TIME, line.kind)
        assertEquals(listOf<SourceRef>(SourceRef.OrderItem("ORD_7", 0)), line.sources.map { it.source })
        assertEquals("180.00", line.amount.toPlainString())
        assertEquals(listOf("9.00"), bill.taxes.map { it.tax.toPlainString() })
        assertEquals("180.00", bill.subtotal.toPlainString())
        assertEquals("189.00", bill.total.toPlainString())
        assertEquals("50.00", bill.walletApplied.toPlainString())
        assertEquals("139.00", bill.amountDue.toPlainString())
        val wallet = bill.walletPayment!!
        assertEquals(PaymentMethod.WALLET, wallet.method)
        assertEquals("50.00", wallet.amount.toPlainString())
        assertEquals(bill.billDate, wallet.date)
        val settings = defaultBillingConfig().copy(walletAutoApply = false)
        assertEquals("189.00", computeBill(paneerOrder(), "C1", january, settings).amountDue.toPlainString())
        check(billToJson(bill).contains("\"month\":\"2026-01\"")) { billToJson(bill) }
    }

    suite.test("bill numbers follow the financial year of the bill date") {
        val march = nextBillNumber(NumberSeries(2025, 41u), day("2026-03-01"), defaultBillingConfig())
        assertEquals("EB/25-26/000042", march.number)
        val april = nextBillNumber(march.series, day("2026-04-01"), defaultBillingConfig())
        assertEquals("EB/26-27/000001", april.number)
        assertEquals(NumberSeries(2026, 1u), april.series)
        val unusable = defaultBillingConfig().copy(numberPrefix = "M K", numberDigits = UInt.MAX_VALUE)
        val refused = assertThrows<EarlybirdException.Validation> {
            nextBillNumber(april.series, day("2026-04-02"), unusable)
        }
        assertEquals(listOf("number_prefix", "number_digits"), refused.problems.map { it.field })
        val parsed = assertThrows<EarlybirdException.Validation> { parseBillingConfig("""{"number_digits": 0}""") }
        assertEquals(listOf("number_digits"), parsed.problems.map { it.field })
    }

    suite.test("billing errors: a credit note for nothing billed lists its fields, a closed month names its bill") {
        val credits = listOf(
            Credit("CN1", "C1", CreditKind.CREDIT_NOTE, BigDecimal("5.00"), day("2026-01-20"), "ORD_404", null, "never delivered"),
            Credit("CN2", "C1", CreditKind.CREDIT_NOTE, BigDecimal("-5"), day("2026-01-20"), "ORD_7", null, "spilt"),
        )
        val e = assertThrows<EarlybirdException.Validation> {
            computeBill(paneerOrder().copy(credits = credits), "C1", january, defaultBillingConfig())
        }
        assertEquals("BILLING_INVALID_INPUT", e.code)
        assertEquals(listOf("credits[0].order_id", "credits[1].amount"), e.problems.map { it.field })
        assertEquals(listOf(Rule.INCONSISTENT, Rule.POSITIVE), e.problems.map { it.rule })

        val finalized = computeBill(paneerOrder(), "C1", january, defaultBillingConfig())
            .copy(status = BillStatus.FINALIZED, number = "EB/25-26/000042")
        val closed = assertThrows<EarlybirdException.Billing> {
            previewBill(paneerOrder().copy(bills = listOf(finalized)), "C1", january, defaultBillingConfig())
        }
        assertEquals("BILLING_MONTH_CLOSED", closed.errorCode())
        check(closed.detail.contains("EB/25-26/000042")) { closed.detail }

        val bad = assertThrows<EarlybirdException.Validation> { parseBillingInput("""{"orders": 7}""") }
        assertEquals(listOf("input"), bad.problems.map { it.field })
    }

    suite.test("activation timeline: replay, sweep, a late delivery refolds the history") {
        CustomerActivation.replay(history(), java.time.Instant.parse("2026-01-10T00:00:00Z"), defaultActivationConfig()).use { c ->
            assertEquals(ActivationState.ACTIVE, c.state())
            assertEquals(listOf(null, ActivationState.NEW, ActivationState.ONBOARDED), c.timeline().map { it.from })
            assertEquals(
                Cause.Event(EventKind.ORDER_PLACED, 2uL, "O1"),
                c.timeline()[1].cause,
            )
            assertEquals(ActivationState.ONBOARDED, c.stateAt(java.time.Instant.parse("2026-01-02T12:00:00Z"))!!.to)
            assertEquals(
                listOf("welcome", "order_confirmation", "thank_you_upsell"),
                c.intents(c.timeline()).map { it.template },
            )

            val swept = c.sweep(java.time.Instant.parse("2026-02-20T00:00:00Z"))
            assertEquals(listOf(ActivationState.INACTIVE), swept.map { it.to })
            assertEquals(Cause.Sweep(SweepRule.INACTIVITY), swept[0].cause)
            assertEquals(day("2026-01-03"), swept[0].lastActivityOn)
            assertEquals(listOf("we_miss_you"), c.intents(swept).map { it.template })

            val late = c.record(event(EventKind.DELIVERY_COMPLETED, "2026-01-25T01:30:00Z", 4, "O2"))
            check(late.late && late.rewroteHistory) { "late: $late" }
            assertEquals(ActivationState.ACTIVE, c.state())
            assertEquals(java.time.Instant.parse("2026-01-25T01:30:00Z"), c.dates().lastActivityAt)
            assertEquals(4, c.events().size)
            check(transitionsToJson(c.timeline()).contains("\"type\":\"event\"")) { "timeline JSON" }
        }
    }

    suite.test("activation errors: a repeated event is refused and changes nothing; bad histories list every problem") {
        CustomerActivation.replay(history(), java.time.Instant.parse("2026-01-10T00:00:00Z"), defaultActivationConfig()).use { c ->
            val before = c.timeline()
            val e = assertThrows<EarlybirdException.Validation> {
                c.record(event(EventKind.ORDER_PLACED, "2026-01-02T04:30:00Z", 2, "O9"))
            }
            assertEquals(listOf("event.sequence"), e.problems.map { it.field })
            assertEquals(Rule.DUPLICATE, e.problems[0].rule)
            assertEquals(before, c.timeline())
        }
        val strict = defaultActivationConfig().copy(churnedAfterDays = 10u)
        val e = assertThrows<EarlybirdException.Validation> {
            CustomerActivation.replay(history(), java.time.Instant.parse("2026-01-10T00:00:00Z"), strict)
        }
        assertEquals(listOf("config.churned_after_days"), e.problems.map { it.field })
    }

    suite.test("cohort retention from signup and activity days") {
        val table = cohortRetention(
            listOf(
                CustomerActivity(day("2026-01-05"), listOf(day("2026-01-06"), day("2026-01-14"))),
                CustomerActivity(day("2026-01-06"), emptyList()),
            ),
            Granularity.WEEK,
            day("2026-01-14"),
        )
        assertEquals(2, table.periods)
        assertEquals(listOf(1uL, 1uL), table.rows[0].active)
        assertSameValue("0.5", table.rows[0].retention[1])
    }

    suite.test("churn score: points add up to the score, payment trouble asks for a reminder") {
        ChurnEngine(defaultChurnConfig()).use { engine ->
            val churn = engine.score(owingCustomer(), day("2026-11-25"))
            assertEquals(Factor.entries.toList(), churn.contributions.map { it.factor })
            assertEquals(0, churn.contributions.sumOf { it.points }.compareTo(churn.score))
            assertEquals(RiskBand.LOW, churn.band)
            assertEquals(RecommendedAction.PAYMENT_REMINDER, churn.action)
            assertEquals(ReasonCode.PAYMENT_OVERDUE, churn.reasons[0])
            assertEquals(null, churn.contributions[Factor.FREQUENCY_DROP.ordinal].risk)
            check(churnScoreToJson(churn).contains("\"action\":\"payment_reminder\"")) { churnScoreToJson(churn) }

            val ranked = engine.rank(listOf(ChurnInput(day("2026-11-01"), emptyList(), null, null, null, null), owingCustomer()), day("2026-11-25"))
            assertEquals(2, ranked.size)
            assertEquals(listOf(0, 1).toSet(), ranked.map { it.index }.toSet())
            check(ranked[0].churn.score >= ranked[1].churn.score) { "ranking order" }
        }
        val paymentOnly = defaultChurnConfig().copy(
            weights = FactorWeights(0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0),
            rules = listOf(ActionRule(listOf(Condition.BandAtLeast(RiskBand.HIGH)), RecommendedAction.WIN_BACK_OFFER)),
        )
        ChurnEngine(paymentOnly).use { engine ->
            val churn = engine.score(owingCustomer(), day("2026-11-25"))
            val payment = churn.contributions[Factor.PAYMENT.ordinal]
            assertEquals(0, BigDecimal(payment.risk!! * 100).setScale(2, java.math.RoundingMode.HALF_UP).compareTo(churn.score))
            assertEquals(RiskBand.HIGH, churn.band)
            assertEquals(RecommendedAction.WIN_BACK_OFFER, churn.action)
        }
    }

    suite.test("churn errors: bad configuration and bad input list every field; a score needs 7 contributions") {
        val config = defaultChurnConfig().copy(weights = FactorWeights(0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0))
        val e = assertThrows<EarlybirdException.Validation> { ChurnEngine(config) }
        assertEquals("CHURN_INVALID_CONFIG", e.code)
        assertEquals(listOf("weights"), e.problems.map { it.field })
        ChurnEngine(defaultChurnConfig()).use { engine ->
            val bad = owingCustomer().copy(purchases = listOf(Purchase(day("2026-11-20"), BigDecimal("-1"))))
            val input = assertThrows<EarlybirdException.Validation> { engine.score(bad, day("2026-11-25")) }
            assertEquals("CHURN_INVALID_INPUT", input.code)
            assertEquals(listOf("purchases[0].amount"), input.problems.map { it.field })
            assertEquals(Rule.NON_NEGATIVE, input.problems[0].rule)
            val churn = engine.score(owingCustomer(), day("2026-11-25"))
            // A function without an error type reports a value it cannot take as UniFFI's
            // InternalException, with the core's sentence.
            val short = assertThrows<InternalException> {
                churnScoreToJson(churn.copy(contributions = churn.contributions.drop(1)))
            }
            check(short.message!!.contains("one contribution per factor (7) [value: 6]")) { short.message!! }
        }
    }
}

// ---- replay of the shared billing, activation and churn cases ---------------------------

fun billingConfig(input: Map<String, Any?>): BillingConfig =
    if ("config" in input) parseBillingConfig(Json.write(input["config"])) else defaultBillingConfig()

fun activationConfig(input: Map<String, Any?>): ActivationConfig =
    if ("config" in input) parseActivationConfig(Json.write(input["config"])) else defaultActivationConfig()

fun churnConfig(input: Map<String, Any?>): ChurnConfig =
    input["config"]?.let { parseChurnConfig(Json.write(it)) } ?: defaultChurnConfig()

fun <T> documents(input: Map<String, Any?>, name: String, parse: (String) -> T): List<T> =
    (input[name] ?: emptyList<Any?>()).list().map { parse(document(it)) }

/** State, dates, timeline and the intents of the timeline (without the customer id). */
fun activationOutput(c: CustomerActivation): Map<String, Any?> = mapOf(
    "state" to c.state()?.let { activationStateCode(it) },
    "dates" to Json.parse(recordedDatesToJson(c.dates())),
    "timeline" to Json.parse(transitionsToJson(c.timeline())),
    "intents" to Json.parse(notificationIntentsToJson(c.intents(c.timeline()))).list().map { it.obj() - "customer_id" },
)

/** One `billing.*`, `activation.*` or `churn.*` operation, canonical JSON out. */
fun runEngine(operation: String, input: Map<String, Any?>): String = when (operation) {
    "billing.compute_bill" -> billToJson(
        computeBill(parseBillingInput(Json.write(input)), input["customer_id"].text(), YearMonth.parse(input["month"].text()), billingConfig(input))
    )
    "billing.next_number" -> {
        val series = input["series"].obj()
        billNumberToJson(
            nextBillNumber(
                NumberSeries(series["financial_year"].number().toInt(), series["last"].number().toUInt()),
                day(input["bill_date"].text()),
                billingConfig(input),
            )
        )
    }
    "activation.replay" -> CustomerActivation.replay(
        parseCustomerHistory(document(input["history"])), instant(input["now"]), activationConfig(input),
    ).use { Json.write(activationOutput(it)) }
    "activation.record" -> CustomerActivation.replay(
        parseCustomerHistory(document(input["history"])), instant(input["now"]), activationConfig(input),
    ).use { c ->
        val arrivals = input["arrivals"].list().map { parseActivationEvent(document(it)) }
        val recorded = arrivals.map { arrival ->
            try {
                Json.parse(recordedToJson(c.record(arrival)))
            } catch (e: EarlybirdException) {
                mapOf("error" to errorJson(e))
            }
        }
        c.sweep(instant(input["sweep_at"]))
        Json.write(activationOutput(c) + ("recorded" to recorded))
    }
    "activation.backfill" -> {
        val customer = parseCustomer(document(input["customer"]))
        val orders = documents(input, "orders", ::parseOrder)
        val deliveries = documents(input, "deliveries", ::parseDelivery)
        val subscriptions = documents(input, "subscriptions", ::parseSubscription)
        val config = activationConfig(input)
        val events = backfillActivationEvents(customer, orders, deliveries, subscriptions, config)
        CustomerActivation.backfill(customer, orders, deliveries, subscriptions, instant(input["now"]), config).use {
            Json.write(activationOutput(it) + ("events" to Json.parse(activationEventsToJson(events))))
        }
    }
    "activation.cohort_retention" -> cohortTableToJson(
        cohortRetention(
            input["customers"].list().map { c ->
                CustomerActivity(day(c.obj()["signed_up_on"].text()), c.obj()["activity"].list().map { day(it.text()) })
            },
            when (val granularity = input["granularity"].text()) {
                "week" -> Granularity.WEEK
                "month" -> Granularity.MONTH
                else -> error("unknown granularity $granularity")
            },
            day(input["as_of"].text()),
        )
    )
    "churn.score" -> ChurnEngine(churnConfig(input)).use {
        churnScoreToJson(it.score(parseChurnInput(Json.write(input["input"])), day(input["now"].text())))
    }
    "churn.rank" -> ChurnEngine(churnConfig(input)).use { engine ->
        val customers = input["customers"].list().map { parseChurnInput(Json.write(it)) }
        rankedCustomersToJson(engine.rank(customers, day(input["now"].text())))
    }
    "churn.from_records" -> churnInputToJson(
        churnInputFromRecords(
            parseCustomer(document(input["customer"])),
            documents(input, "products", ::parseProduct),
            documents(input, "orders", ::parseOrder),
            documents(input, "deliveries", ::parseDelivery),
            documents(input, "subscriptions", ::parseSubscription),
            input["payments"]?.let { parsePaymentSignals(Json.write(it)) },
            input["service"]?.let { parseServiceSignals(Json.write(it)) },
            day(input["now"].text()),
            input["window_days"].number().toUInt(),
        )
    )
    else -> throw UnknownOperation(operation)
}
