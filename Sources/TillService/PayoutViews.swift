public import TillCore

/// A payout as the CLI and the POS show it: amounts in minor units of `currency`, the state
/// Till knows (`processing` once GoblinPay confirmed the acknowledgement, else `notifying`),
/// and how its entries reconcile.
public struct PayoutView: Codable, Sendable, Equatable {
    public let id: String
    public let amount: Int64
    public let currency: String
    public let state: String
    public let createdAt: String
    public let importedAt: String
    public let recipient: String
    public let entries: [Entry]
    public let reconciliation: Summary

    public struct Entry: Codable, Sendable, Equatable {
        public let kind: String
        public let reference: String
        public let amount: Int64
        /// matched, mismatched, unexpected, or fee / adjustment (not a card movement).
        public let bucket: String
        /// The order whose payment this entry paid out, when Till knows it.
        public let orderId: String?
    }

    /// How many of the payout's entries fell in each bucket.
    public struct Summary: Codable, Sendable, Equatable {
        public let matched: Int
        public let mismatched: Int
        public let unexpected: Int
        public let feesAndAdjustments: Int
    }
}

/// `till payouts reconcile`: every Till capture and refund in exactly one bucket.
public struct ReconciliationView: Codable, Sendable, Equatable {
    public let matched: [Line]
    public let inTransit: [Line]
    public let mismatched: [Line]
    public let unexpected: [Line]
    public let feesAndAdjustments: [Line]
    /// Per currency: what is still to be paid out (captures less refunds in transit).
    public let inTransitTotals: [String: Int64]
    /// Per currency: paid out in the payouts imported.
    public let paidOutTotals: [String: Int64]
    /// Nothing mismatched and nothing unexpected.
    public let clean: Bool

    /// One capture, refund or entry. Till's side (`payment_id`, `order_id`, `amount`) and the
    /// payout's (`payout_id`, `entry_amount`) as far as each exists.
    public struct Line: Codable, Sendable, Equatable {
        public let kind: String
        public let reference: String
        public let currency: String
        public let amount: Int64?
        public let paymentId: String?
        public let orderId: String?
        public let payoutId: String?
        public let entryAmount: Int64?
    }
}

extension ReconciliationView {
    init(_ reconciliation: Reconciliation, payouts: [ImportedPayout]) throws(Rejection) {
        func line(_ movement: CardMovement?, _ placed: PlacedEntry?) -> Line {
            Line(
                kind: movement?.kind.rawValue ?? placed?.entry.kind.rawValue ?? "",
                reference: movement?.reference ?? placed?.entry.reference ?? "",
                currency: (movement?.amount.currency ?? placed?.entry.amount.currency)?.code ?? "",
                amount: movement?.amount.minorUnits, paymentId: movement?.paymentId, orderId: movement?.orderId,
                payoutId: placed?.payoutId, entryAmount: placed?.entry.amount.minorUnits)
        }
        matched = reconciliation.matched.map { match in
            Line(
                kind: match.movement.kind.rawValue, reference: match.movement.reference, currency: match.movement.amount.currency.code,
                amount: match.movement.amount.minorUnits, paymentId: match.movement.paymentId, orderId: match.movement.orderId,
                payoutId: match.payoutId, entryAmount: match.movement.signedAmount.minorUnits)
        }
        inTransit = reconciliation.inTransit.map { line($0, nil) }
        mismatched = reconciliation.mismatched.map { line($0.movement, $0.placed) }
        unexpected = reconciliation.unexpected.map { line(nil, $0) }
        feesAndAdjustments = reconciliation.feesAndAdjustments.map { line(nil, $0) }
        switch reconciliation.inTransitTotals() {
        case .success(let totals): inTransitTotals = Dictionary(uniqueKeysWithValues: totals.map { ($0.key.code, $0.value.minorUnits) })
        case .failure(let rejection): throw rejection
        }
        var paid: [Currency: Money] = [:]
        for imported in payouts {
            let amount = imported.payout.amount
            switch (paid[amount.currency] ?? .zero(amount.currency)).adding(amount) {
            case .success(let sum): paid[amount.currency] = sum
            case .failure(let rejection): throw rejection
            }
        }
        paidOutTotals = Dictionary(uniqueKeysWithValues: paid.map { ($0.key.code, $0.value.minorUnits) })
        clean = reconciliation.isClean
    }
}

extension PayoutView {
    /// Each payout with the bucket of each of its entries, from one reconciliation.
    static func all(_ payouts: [ImportedPayout], reconciliation: Reconciliation) -> [PayoutView] {
        struct Place: Hashable {
            let payoutId: String
            let entry: PayoutEntry
        }
        // Entries are values: equal entries of one payout share a bucket count, taken one by one.
        var buckets: [Place: [(String, String?)]] = [:]
        for match in reconciliation.matched {
            let entry = PayoutEntry(
                kind: match.movement.kind == .capture ? .capture : .refund, reference: match.movement.reference,
                amount: match.movement.signedAmount)
            buckets[Place(payoutId: match.payoutId, entry: entry), default: []].append(("matched", match.movement.orderId))
        }
        for mismatch in reconciliation.mismatched {
            buckets[Place(payoutId: mismatch.placed.payoutId, entry: mismatch.placed.entry), default: []]
                .append(("mismatched", mismatch.movement.orderId))
        }
        for placed in reconciliation.unexpected {
            buckets[Place(payoutId: placed.payoutId, entry: placed.entry), default: []].append(("unexpected", nil))
        }
        return payouts.map { imported in
            let payout = imported.payout
            var entries: [Entry] = []
            for entry in payout.entries {
                var bucket = (entry.kind == .fee || entry.kind == .adjustment) ? entry.kind.rawValue : "unexpected"
                var orderId: String?
                let place = Place(payoutId: payout.id, entry: entry)
                if bucket == "unexpected", var waiting = buckets[place], !waiting.isEmpty {
                    (bucket, orderId) = waiting.removeFirst()
                    buckets[place] = waiting
                }
                entries.append(Entry(
                    kind: entry.kind.rawValue, reference: entry.reference, amount: entry.amount.minorUnits, bucket: bucket, orderId: orderId))
            }
            return PayoutView(
                id: payout.id, amount: payout.amount.minorUnits, currency: payout.currency.code,
                state: imported.acknowledgedAt == nil ? "notifying" : "processing",
                createdAt: Timestamp.iso8601(payout.createdAt), importedAt: Timestamp.iso8601(imported.importedAt),
                recipient: payout.recipient, entries: entries,
                reconciliation: Summary(
                    matched: entries.count { $0.bucket == "matched" }, mismatched: entries.count { $0.bucket == "mismatched" },
                    unexpected: entries.count { $0.bucket == "unexpected" },
                    feesAndAdjustments: entries.count { $0.bucket == "fee" || $0.bucket == "adjustment" }))
        }
    }
}

/// The POS Payouts screen's figures: every payout with its entries' buckets, and the whole
/// reconciliation, from one read.
public struct PayoutsOverview: Sendable, Equatable {
    public let payouts: [PayoutView]
    public let reconciliation: ReconciliationView
}

extension TillService {
    public func payoutsOverview() async -> Result<PayoutsOverview, Rejection> {
        await reconcilePayouts().flatMap { reconciliation, payouts in
            do throws(Rejection) {
                return .success(PayoutsOverview(
                    payouts: PayoutView.all(payouts, reconciliation: reconciliation),
                    reconciliation: try ReconciliationView(reconciliation, payouts: payouts)))
            } catch {
                return .failure(error)
            }
        }
    }

    /// Imported payouts with their reconciliation, newest first; `state` filters by
    /// `notifying` / `processing`.
    public func payoutViews(state: String? = nil) async -> Result<[PayoutView], Rejection> {
        guard state == nil || state == "notifying" || state == "processing" else {
            return .failure(Rejection(.invalidRequest, "A payout's state is notifying or processing, not \(state?.echoed(limit: 20) ?? "")."))
        }
        return await reconcilePayouts().map { reconciliation, payouts in
            PayoutView.all(payouts, reconciliation: reconciliation).filter { state == nil || $0.state == state }
        }
    }

    /// The reconciliation of every capture and refund against the payouts imported.
    public func reconciliationView() async -> Result<ReconciliationView, Rejection> {
        await reconcilePayouts().flatMap { reconciliation, payouts in
            do throws(Rejection) {
                return .success(try ReconciliationView(reconciliation, payouts: payouts))
            } catch {
                return .failure(error)
            }
        }
    }
}
