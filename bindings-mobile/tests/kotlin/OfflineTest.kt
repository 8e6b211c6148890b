// The offline part of the mobile suite: the loyalty programme, the route optimizer and the
// embedded SQLite store, through the binding's typed API, plus the replay of the shared
// loyalty cases. Called from EarlybirdTest.kt's main().

package earlybird.test

import app.earlybird.*
import java.io.File
import java.math.BigDecimal
import java.time.Instant
import kotlin.math.abs

fun instant(text: String): Instant = Instant.parse(text)

fun payment(id: String, customer: String, amount: String, date: String) =
    Payment(id, customer, BigDecimal(amount), PaymentMethod.UPI, day(date), null)

fun loyaltyApi(suite: Suite) {
    val at = instant("2026-11-02T04:00:00Z")

    suite.test("loyalty: a payment earns points, upgrades at once and unlocks badges") {
        LoyaltyProgram(null).use { program ->
            val paid = LoyaltyEvent.PaymentReceived(payment("pay-1", "cust-1", "1200.50", "2026-11-02"), at)
            val applied = program.apply(paid)
            assertEquals(false, applied.duplicate)
            assertEquals(listOf("earn:pay-1"), applied.entries.map { it.key })
            assertEquals(1200L, applied.entries[0].points)
            assertEquals(EntryDetail.Earn(1200L, BigDecimal.ONE, Tier.BRONZE), applied.entries[0].detail)
            assertEquals(Tier.SILVER, applied.tierChange!!.to)
            assertEquals(TierCause.UPGRADE, applied.tierChange!!.cause)
            assertEquals(listOf("points_100", "points_1000", "tier_silver"), applied.unlocked.map { it.code }.sorted())
            val again = program.apply(paid)
            assertEquals(true, again.duplicate)
            assertEquals(0, again.entries.size)
            assertEquals(listOf("cust-1"), program.customerIds())
        }
    }

    suite.test("loyalty: summary shows balance, tier progress and every badge") {
        LoyaltyProgram(null).use { program ->
            program.apply(LoyaltyEvent.PaymentReceived(payment("pay-1", "cust-1", "1200.50", "2026-11-02"), at))
            program.apply(LoyaltyEvent.OrderDelivered("cust-1", "ord-1", at))
            val summary = program.summary("cust-1", at)!!
            assertEquals(1250L, summary.balance)
            assertEquals(1250L, summary.available)
            assertEquals(Tier.SILVER, summary.tier.tier)
            assertEquals(Tier.GOLD, summary.tier.nextTier)
            assertEquals(5000L, summary.tier.nextThreshold)
            assertEquals(3750L, summary.tier.pointsToNext)
            assertEquals(22, summary.badges.size)
            val firstSip = summary.badges.first { it.code == "orders_1" }
            assertEquals(Category.ORDERS, firstSip.category)
            assertEquals(at, firstSip.unlockedAt)
            assertEquals(null, summary.badges.first { it.code == "orders_10" }.unlockedAt)
            assertEquals(null, program.summary("nobody", at))
            check(memberSummaryToJson(summary).contains("\"next_tier\":\"GOLD\"")) { memberSummaryToJson(summary) }
        }
    }

    suite.test("loyalty: redemption preview, redemption as a bill credit, refusals change nothing") {
        LoyaltyProgram(null).use { program ->
            program.apply(LoyaltyEvent.PaymentReceived(payment("pay-1", "cust-1", "1200.50", "2026-11-02"), at))
            val preview = program.previewRedemption("cust-1", BigDecimal("1500.00"), at)
            assertEquals(1200L, preview.maxPoints)
            assertEquals("600.00", preview.maxAmount.toPlainString())
            assertEquals("750.00", preview.capAmount.toPlainString())
            val redeemed = program.redeem(RedemptionRequest("cust-1", "EB/26-27/000123", 300L, BigDecimal("1500"), at))
            assertEquals("150.00", redeemed.redemption.amount.toPlainString())
            assertEquals("Loyalty points redeemed (300 points)", redemptionLineDescription(redeemed.redemption))
            assertEquals(900L, program.member("cust-1")!!.balance)
            val before = program.member("cust-1")
            val e = assertThrows<EarlybirdException.Loyalty> {
                program.redeem(RedemptionRequest("cust-1", "EB/26-27/000124", 99L, BigDecimal("1500"), at))
            }
            assertEquals("LOYALTY_BELOW_MINIMUM", e.code)
            assertEquals(before, program.member("cust-1"))
            val bad = assertThrows<EarlybirdException.Validation> {
                program.redeem(RedemptionRequest("cust-1", " ", 0L, BigDecimal("1.001"), at))
            }
            assertEquals(listOf("key", "points", "bill_charges"), bad.problems.map { it.field })
        }
    }

    suite.test("loyalty: a bad event or configuration is a validation error with its fields") {
        LoyaltyProgram(null).use { program ->
            val e = assertThrows<EarlybirdException.Validation> {
                program.apply(LoyaltyEvent.ReferralCompleted("cust-1", "cust-1", at))
            }
            assertEquals(listOf("referred_id"), e.problems.map { it.field })
            assertEquals(Rule.INCONSISTENT, e.problems[0].rule)
            assertEquals(emptyList<String>(), program.customerIds())
        }
        val config = assertThrows<EarlybirdException.Validation> { LoyaltyProgram("""{"review_bonus": "many"}""") }
        assertEquals(listOf("config"), config.problems.map { it.field })
        val checked = assertThrows<EarlybirdException.Validation> { LoyaltyProgram("""{"minimum_redemption": 0}""") }
        check(checked.problems.isNotEmpty()) { "no problem listed" }
        LoyaltyProgram("""{"first_order_bonus": 75}""").use { program ->
            program.apply(LoyaltyEvent.OrderDelivered("cust-1", "ord-1", at))
            assertEquals(75L, program.member("cust-1")!!.balance)
        }
        val parsed = parseLoyaltyEvent("""{"type": "order_delivered", "customer_id": "c", "order_id": "o",
          "at": "2026-11-02T04:00:00Z"}""")
        assertEquals(LoyaltyEvent.OrderDelivered("c", "o", at), parsed)
    }

    suite.test("loyalty: leaderboards and a member's positions") {
        LoyaltyProgram(null).use { program ->
            program.apply(LoyaltyEvent.PaymentReceived(payment("p-a", "a", "1200", "2026-11-02"), at))
            program.apply(LoyaltyEvent.PaymentReceived(payment("p-b", "b", "300", "2026-11-02"), at))
            val boards = program.leaderboards(at, 10u)
            assertEquals(listOf("a", "b"), boards.allTime.map { it.customerId })
            assertEquals(listOf(Tier.BRONZE, Tier.SILVER), boards.byTier.keys.sorted())
            val b = program.position("b", at)!!
            assertEquals(2uL, b.allTime!!.rank)
            assertEquals("0.00", b.allTime!!.percentile.toPlainString())
            assertEquals(1uL, b.tier!!.rank)
            assertEquals(null, program.position("nobody", at))
        }
        assertEquals(0L, previewRedemption(99L, BigDecimal("1000.00"), null).maxPoints)
    }
}

// ---- routing --------------------------------------------------------------------------------

/** 50 stops around a depot in Bengaluru, from a fixed seed, and one delivery person. */
fun fiftyStops(): Problem {
    val random = java.util.Random(7)
    val depot = Location(12.9716, 77.5946)
    val stops = (1..50).map { i ->
        Stop(
            id = "c$i",
            location = Location(depot.lat + (random.nextDouble() - 0.5) * 0.04, depot.lon + (random.nextDouble() - 0.5) * 0.04),
            serviceMinutes = 1.0, timeWindow = null, demand = listOf(1.0), priority = 0u, dropPenalty = null,
        )
    }
    return Problem(
        depot = depot,
        stops = stops,
        vehicles = listOf(Vehicle("ravi", listOf(60.0), 300.0, 600.0, null, RouteEnd.Depot)),
        distances = Distances.Haversine(1.3),
        speed = Speed(20.0, emptyList()),
        previousPlan = null,
        options = SolveOptions(seed = 7uL, timeBudgetMs = null, iterationLimit = 2000uL, threads = 1),
    )
}

fun routingApi(suite: Suite) {
    suite.test("routing: a route for 50 stops visits each once, with consistent distances and times") {
        val problem = fiftyStops()
        val plan = solveRoutes(problem)
        assertEquals(emptyList<Unassigned>(), plan.unassigned)
        assertEquals(1, plan.routes.size)
        val visits = plan.routes[0].visits
        assertEquals(50, visits.size)
        assertEquals(problem.stops.map { it.id }.toSet(), visits.map { it.stopId }.toSet())
        assertEquals(listOf<String>(), validatePlan(problem, plan))
        check(abs(plan.routes.sumOf { it.distance } - plan.totalDistance) < 1e-6) { "route distances do not add up" }
        visits.zipWithNext().forEach { (a, b) ->
            check(a.arrival <= a.serviceStart && a.serviceStart < a.departure && a.departure <= b.arrival) { "times of ${a.stopId}, ${b.stopId}" }
        }
        assertEquals(listOf(50.0), plan.routes[0].load)
        val nearest = nearestNeighbourPlan(problem)
        val comparison = plan.comparison!!
        check(abs(comparison.nearestNeighbour.distance - nearest.totalDistance) < 1e-6) { "baseline differs from the nearest-neighbour plan" }
        assertEquals(50, comparison.nearestNeighbour.stopsServed)
        check(plan.totalDistance <= nearest.totalDistance) { "optimized ${plan.totalDistance} > nearest ${nearest.totalDistance}" }
        assertEquals(plan, solveRoutes(problem))
        check(renderPlanSvg(plan, 400u, 300u, "ravi").startsWith("<svg")) { "not an SVG" }
    }

    suite.test("routing: recomputing with the previous route keeps its order and adds the new stop") {
        val problem = fiftyStops()
        val first = solveRoutes(problem).routes[0].visits.map { it.stopId }
        val extra = problem.stops[0].copy(id = "new", location = Location(12.975, 77.60))
        val again = problem.copy(
            stops = problem.stops + extra,
            previousPlan = PreviousPlan(listOf(first), 1_000_000.0),
        )
        val plan = solveRoutes(again)
        val order = plan.routes[0].visits.map { it.stopId }
        assertEquals(first, order.filter { it != "new" })
        check("new" in order) { "the new stop is not served" }
        check(plan.changedPairs!! <= 2) { "changed pairs ${plan.changedPairs}" }
        assertEquals(listOf<String>(), validatePlan(again, plan))
    }

    suite.test("routing: a bad problem lists every field problem, from JSON too") {
        val problem = fiftyStops()
        val bad = problem.copy(stops = listOf(problem.stops[0].copy(location = Location(95.0, 77.6))) + problem.stops.drop(1),
            vehicles = emptyList())
        val e = assertThrows<EarlybirdException.Validation> { solveRoutes(bad) }
        assertEquals("ROUTING_INVALID_INPUT", e.code)
        assertEquals(listOf("stops[0].location.lat", "vehicles"), e.problems.map { it.field })
        check(e.problems.any { it.field.startsWith("stops[0]") && it.value == "95" }) { "${e.problems}" }
        assertThrows<EarlybirdException.Validation> { checkRoutingProblem(bad) }
        val parsed = parseRoutingProblem("""{"depot": {"lat": 12.97, "lon": 77.59},
          "stops": [{"id": "c1", "location": {"lat": 12.975, "lon": 77.60}, "service_minutes": 2,
                     "time_window": {"start": 330, "end": 360}, "demand": [2, 1]},
                    {"id": "c2", "location": {"lat": 12.965, "lon": 77.58}, "demand": [1, 0], "drop_penalty": 500}],
          "vehicles": [{"id": "ravi", "capacity": [40, 30], "shift_start": 300, "shift_end": 420, "end": "anywhere"}],
          "options": {"seed": 1, "iteration_limit": 200, "time_budget_ms": null}}""")
        assertEquals(RouteEnd.Anywhere, parsed.vehicles[0].end)
        assertEquals(Distances.Haversine(1.3), parsed.distances)
        // c2 is optional at 500 (metres): the detour costs more, so the core leaves it out.
        val small = solveRoutes(parsed)
        assertEquals(listOf("c1"), small.routes[0].visits.map { it.stopId })
        assertEquals(listOf(Unassigned("c2", UnassignedReason.NOT_WORTH_PENALTY)), small.unassigned)
        val notJson = assertThrows<EarlybirdException.Validation> { parseRoutingProblem("{\"stops\": 3}") }
        assertEquals(listOf("problem"), notJson.problems.map { it.field })
    }
}

// ---- the embedded store -----------------------------------------------------------------

fun offlineStore(suite: Suite) {
    val morning = Actor("DB_7", instant("2026-01-15T01:10:00Z"))
    val customer = Customer(
        id = "CUST_1", name = "Priya", phone = "+919876543210", email = null, address = "12 MG Road",
        lat = 12.97, lon = 77.59, userId = null, deliveryBoyId = "DB_7", signupDate = day("2026-01-01"), referredBy = null,
    )
    val order = Order(
        id = "ORD_1", customerId = "CUST_1",
        items = listOf(OrderItem("MILK_500ML", BigDecimal("2"), BigDecimal("28.50"), null)),
        deliveryDate = day("2026-01-15"), status = OrderStatus.PENDING, createdAt = instant("2026-01-14T18:30:00Z"),
    )

    suite.test("offline store: operations are stored in the file and there after reopening") {
        val file = File.createTempFile("earlybird-offline", ".sqlite")
        try {
            OfflineStore.open(file.path).use { store ->
                assertEquals(Effect.CHANGED, store.registerCustomer(customer, morning).effect)
                assertEquals(Effect.UNCHANGED, store.registerCustomer(customer, morning).effect)
                assertEquals(Effect.CHANGED, store.placeOrder(order, morning).effect)
                assertEquals(OrderStatus.OUT_FOR_DELIVERY, store.dispatchOrder("ORD_1", morning).order.status)
                val done = store.confirmDelivery("ORD_1", amounts("2"), null, morning)
                assertEquals(OrderStatus.DELIVERED, done.order.status)
                assertEquals(Effect.UNCHANGED, store.confirmDelivery("ORD_1", amounts("2.0"), null, morning).effect)
                store.recordPayment(payment("PAY_1", "CUST_1", "57.00", "2026-01-15"), morning)
            }
            OfflineStore.open(file.path).use { store ->
                assertEquals(customer, store.customer("CUST_1"))
                val today = store.ordersOn(day("2026-01-15"))
                assertEquals(listOf("ORD_1"), today.map { it.id })
                assertEquals(OrderStatus.DELIVERED, today[0].status)
                assertEquals(BigDecimal("2"), today[0].items[0].deliveredQuantity)
                assertEquals("28.50", today[0].items[0].unitPrice.toPlainString())
                assertEquals(emptyList<Order>(), store.ordersOn(day("2026-01-16")))
                val deliveries = store.deliveriesOn(day("2026-01-15"))
                assertEquals(listOf(DeliverySource.Order("ORD_1")), deliveries.map { it.source })
                assertEquals(listOf("placed", "dispatched", "delivery_confirmed"), store.auditTrail("order", "ORD_1").map { it.action })
                // 57 points for the payment, 50 for the first delivered order.
                val summary = store.loyaltySummary("CUST_1", morning.at)!!
                assertEquals(107L, summary.balance)
                assertEquals(null, store.loyaltySummary("CUST_404", morning.at))
                assertEquals(null, store.order("ORD_404"))
            }
        } finally {
            file.delete()
        }
    }

    suite.test("offline store: cash paid into the wallet is stored once, and its balance read back") {
        val file = File.createTempFile("earlybird-offline", ".sqlite")
        try {
            OfflineStore.open(file.path).use { store ->
                val topUp = WalletEntry("W1", "CUST_1", WalletEntryKind.TOP_UP, BigDecimal("200.00"), day("2026-01-15"), null, null)
                assertThrows<EarlybirdException.NotFound> { store.recordWalletEntry(topUp, morning) }
                store.registerCustomer(customer, morning)
                assertEquals(Effect.CHANGED, store.recordWalletEntry(topUp, morning).effect)
                assertEquals(Effect.UNCHANGED, store.recordWalletEntry(topUp, morning).effect)
                val promotion = WalletEntry("W2", "CUST_1", WalletEntryKind.PROMOTIONAL, BigDecimal("20.00"), day("2026-01-16"), day("2026-01-31"), null)
                store.recordWalletEntry(promotion, morning)
                val changed = assertThrows<EarlybirdException.Store> {
                    store.recordWalletEntry(topUp.copy(amount = BigDecimal("1.00")), morning)
                }
                assertEquals("STORE_CONFLICT", changed.code)
                val applied = assertThrows<EarlybirdException.Validation> {
                    store.recordWalletEntry(topUp.copy(id = "W3", kind = WalletEntryKind.APPLIED, amount = BigDecimal("0")), morning)
                }
                assertEquals(listOf("kind", "amount"), applied.problems.map { it.field })
                assertEquals(listOf(topUp, promotion), store.walletEntries("CUST_1"))
                assertEquals("220.00", store.walletBalance("CUST_1", day("2026-01-31")).toPlainString())
                assertEquals("200.00", store.walletBalance("CUST_1", day("2026-02-01")).toPlainString())
                assertEquals(emptyList<WalletEntry>(), store.walletEntries("CUST_404"))
            }
        } finally {
            file.delete()
        }
    }

    suite.test("offline store: the same confirmation from two threads at once is stored once") {
        val file = File.createTempFile("earlybird-offline", ".sqlite")
        try {
            OfflineStore.open(file.path).use { store ->
                store.registerCustomer(customer, morning)
                store.placeOrder(order, morning)
                store.dispatchOrder("ORD_1", morning)
                val effects = java.util.Collections.synchronizedList(mutableListOf<Effect>())
                val threads = (1..2).map {
                    Thread { effects.add(store.confirmDelivery("ORD_1", amounts("2"), null, morning).effect) }
                }
                threads.forEach { it.start() }
                threads.forEach { it.join() }
                assertEquals(listOf(Effect.CHANGED, Effect.UNCHANGED), effects.sortedBy { it.ordinal })
                assertEquals(1, store.deliveriesOn(day("2026-01-15")).size)
                assertEquals(1, store.auditTrail("order", "ORD_1").count { it.action == "delivery_confirmed" })
            }
        } finally {
            file.delete()
        }
    }

    suite.test("offline store: refusals are the binding's exceptions and store nothing") {
        val file = File.createTempFile("earlybird-offline", ".sqlite")
        try {
            OfflineStore.open(file.path).use { store ->
                val unknown = assertThrows<EarlybirdException.NotFound> { store.placeOrder(order, morning) }
                assertEquals("NOT_FOUND", unknown.code)
                val invalid = assertThrows<EarlybirdException.Validation> {
                    store.registerCustomer(customer.copy(phone = "12345", lat = 91.0), morning)
                }
                assertEquals(listOf("phone", "lat"), invalid.problems.map { it.field })
                assertEquals(null, store.customer("CUST_1"))
                store.registerCustomer(customer, morning)
                val other = assertThrows<EarlybirdException.Store> { store.registerCustomer(customer.copy(name = "Ravi"), morning) }
                assertEquals("STORE_CONFLICT", other.code)
                store.placeOrder(order, morning)
                val early = assertThrows<EarlybirdException.InvalidTransition> {
                    store.confirmDelivery("ORD_1", amounts("2"), null, morning)
                }
                assertEquals(OrderStatus.PENDING, early.from)
                store.dispatchOrder("ORD_1", morning)
                store.confirmDelivery("ORD_1", amounts("2"), null, morning)
                assertThrows<EarlybirdException.ConflictingConfirmation> {
                    store.confirmDelivery("ORD_1", amounts("1"), null, morning)
                }
                assertEquals(BigDecimal("2"), store.order("ORD_1")!!.items[0].deliveredQuantity)
                assertThrows<EarlybirdException.NotFound> { store.dispatchOrder("ORD_404", morning) }
            }
        } finally {
            file.delete()
        }
        val e = assertThrows<EarlybirdException.Store> { OfflineStore.open("/nonexistent-dir/earlybird.sqlite") }
        check(e.code.startsWith("STORE_")) { e.code }
    }
}

fun offlineSuite(suite: Suite) {
    loyaltyApi(suite)
    routingApi(suite)
    offlineStore(suite)
}

// ---- replay of the shared loyalty cases ----------------------------------------------------

/** A programme built by the case's `steps`, through the binding's typed API. */
fun loyaltyProgram(input: Map<String, Any?>): LoyaltyProgram {
    val program = LoyaltyProgram(input["config"]?.let { Json.write(it) })
    try {
        for (step in input["steps"] as? List<*> ?: emptyList<Any?>()) {
            val s = step.obj()
            when {
                "event" in s -> program.apply(parseLoyaltyEvent(Json.write(s["event"])))
                "redeem" in s -> program.redeem(parseRedemptionRequest(Json.write(s["redeem"])))
                "expire" in s -> program.expire(instant(s["expire"].text()))
                "review" in s -> program.monthlyReview(instant(s["review"].text()))
                else -> error("unknown loyalty step $s")
            }
        }
    } catch (e: Throwable) {
        program.close()
        throw e
    }
    return program
}

fun pick(list: Any?, vararg keys: String): List<Map<String, Any?>> =
    (list as List<*>).map { item -> keys.associateWith { item.obj()[it] } }

/** One `loyalty.*` operation of the case format, as canonical JSON; null for another engine. */
fun runLoyalty(operation: String, input: Map<String, Any?>): String? = when (operation) {
    "loyalty.replay" -> loyaltyProgram(input).use { program ->
        val member = Json.parse(loyaltyMemberToJson(program.member(input["customer_id"].text())!!)).obj()
        Json.write(
            mapOf(
                "balance" to member["balance"],
                "tier" to member["tier"],
                "entries" to pick(member["entries"], "key", "kind", "points"),
                "tier_changes" to pick(member["tier_history"], "from", "to", "cause"),
                "badges" to (member["badges"] as List<*>).map { it.obj()["code"] },
            )
        )
    }
    "loyalty.redeem" -> loyaltyProgram(input).use { program ->
        val redeemed = program.redeem(parseRedemptionRequest(Json.write(input["request"])))
        Json.write(
            mapOf(
                "redemption" to Json.parse(redeemedToJson(redeemed)).obj()["redemption"],
                "balance" to program.member(redeemed.redemption.customerId)?.let { JsonNumber(it.balance.toString()) },
            )
        )
    }
    "loyalty.preview_redemption" -> redemptionPreviewToJson(
        previewRedemption((input["balance"] as JsonNumber).text.toLong(), BigDecimal(input["bill_charges"].text()), null)
    )
    "loyalty.leaderboards" -> loyaltyProgram(input).use { program ->
        leaderboardsToJson(
            program.leaderboards(instant(input["now"].text()), (input["top"] as JsonNumber).text.toUInt())
        )
    }
    else -> null
}
