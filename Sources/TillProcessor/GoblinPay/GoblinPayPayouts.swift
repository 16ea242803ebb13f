public import TillCore
import Synchronization

/// A payout as GoblinPay keeps it: what it paid the shop's bank in one currency, made of
/// entries whose sum is the amount. `notifying` until the shop acknowledges it, then
/// `processing`; every successful acknowledgement counts in `updateCount`, even a repeated one.
public struct GoblinPayPayout: Hashable, Sendable {
    public enum State: String, Sendable, CaseIterable {
        case notifying, processing
    }

    public let id: String
    /// 1 for the ledger's first payout, and so on.
    public let sequence: Int64
    public let amount: Money
    public let createdAt: Instant
    public let recipient: String
    public internal(set) var state: State
    public internal(set) var updateCount: Int
    public let entries: [PayoutEntry]
}

/// `GET /api/payouts/count`: how many payouts exist, how many are processing, and the most
/// acknowledgements any one payout received.
public struct GoblinPayPayoutCount: Hashable, Sendable {
    public let total: Int
    public let processing: Int
    public let maxUpdateCount: Int

    public init(total: Int, processing: Int, maxUpdateCount: Int) {
        self.total = total
        self.processing = processing
        self.maxUpdateCount = maxUpdateCount
    }
}

extension GoblinPay {
    /// The account payouts go to unless told otherwise.
    public static let defaultRecipient = "shop-bank-account"

    /// Settles now: per currency, every capture and refund not yet paid out becomes one payout
    /// (captures positive, refunds negative). A currency whose net is not above zero creates no
    /// payout: its captures and refunds wait for the next settlement, as a negative balance is
    /// carried forward by a real processor. Answers the payouts created.
    public func settle(now: Instant, recipient: String = defaultRecipient) async throws -> [GoblinPayPayout] {
        let seed = configuration.seed
        return try await storage.write { ledger in
            var byCurrency: [Currency: [GoblinPayLedgerEntry]] = [:]
            var order: [Currency] = []
            for entry in try ledger.unsettled() {
                if byCurrency[entry.amount.currency] == nil { order.append(entry.amount.currency) }
                byCurrency[entry.amount.currency, default: []].append(entry)
            }
            var created: [GoblinPayPayout] = []
            var next = Int64(try ledger.payoutCount().total) + 1
            let identity = try ledger.ledgerIdentity()
            for currency in order {
                let movements = byCurrency[currency] ?? []
                let entries = movements.map { entry in
                    entry.operation == .capture
                        ? PayoutEntry(kind: .capture, reference: entry.reference, amount: entry.amount)
                        : PayoutEntry(kind: .refund, reference: entry.reference, amount: Money(minorUnits: -entry.amount.minorUnits, currency: currency))
                }
                guard case .success(let net) = Money.sum(entries.map(\.amount), currency: currency) else {
                    throw GoblinPayLedgerError("the \(currency.code) settlement does not fit in an amount")
                }
                guard net.isPositive else { continue }
                let payout = GoblinPayPayout(
                    id: payoutId(seed: seed, ledger: identity, sequence: next), sequence: next, amount: net, createdAt: now,
                    recipient: recipient, state: .notifying, updateCount: 0, entries: entries)
                try ledger.insert(payout, settling: movements.map(\.sequence))
                created.append(payout)
                next += 1
            }
            return created
        }
    }

    /// A synthetic payout of one adjustment entry: what `till goblinpay produce` makes to load
    /// the shop's import.
    public func produce(amount: Money, now: Instant, recipient: String = defaultRecipient) async throws -> GoblinPayPayout {
        let seed = configuration.seed
        return try await storage.write { ledger in
            let sequence = Int64(try ledger.payoutCount().total) + 1
            let id = payoutId(seed: seed, ledger: try ledger.ledgerIdentity(), sequence: sequence)
            let payout = GoblinPayPayout(
                id: id, sequence: sequence, amount: amount, createdAt: now, recipient: recipient, state: .notifying,
                updateCount: 0, entries: [PayoutEntry(kind: .adjustment, reference: "produce-\(sequence)", amount: amount)])
            try ledger.insert(payout, settling: [])
            return payout
        }
    }

    /// The payouts in `state` (every one when nil), newest first.
    public func payouts(state: GoblinPayPayout.State?) async throws -> [GoblinPayPayout] {
        try await storage.read { try $0.payouts(state: state) }
    }

    public func payoutCount() async throws -> GoblinPayPayoutCount {
        try await storage.read { try $0.payoutCount() }
    }

    /// The shop's acknowledgement (`state=processing`), flaky on purpose: it fails at the
    /// configured `ackFailureRate` before changing anything (`.failedBeforeApplying`). Otherwise
    /// the payout is processing and its update counted (`.updated`), or there is no such payout.
    public func acknowledgePayout(id: String) async throws -> PayoutAcknowledgement {
        let attempt = acknowledgementAttempts.withLock { attempts -> Int in
            defer { attempts[id, default: 0] += 1 }
            return attempts[id] ?? 0
        }
        if configuration.ackFailureRate.fails(seed: configuration.seed, purpose: "ack-failure", key: id, attempt: attempt) {
            return .failedBeforeApplying
        }
        return try await storage.write { ledger in
            try ledger.markProcessing(id: id).map(PayoutAcknowledgement.updated) ?? .noSuchPayout
        }
    }
}

/// What an acknowledgement did at GoblinPay.
public enum PayoutAcknowledgement: Hashable, Sendable {
    case updated(GoblinPayPayout)
    case noSuchPayout
    /// The random failure of the partner API: nothing changed.
    case failedBeforeApplying
}

/// A UUID-shaped payout id hashed from the seed, the ledger's own random id and the payout's
/// place in that ledger: unique in one ledger, and across ledgers (whatever their seeds).
func payoutId(seed: UInt64, ledger: String, sequence: Int64) -> String {
    var high = SeededHash(seed: seed, purpose: "payout-high")
    high.mix(ledger)
    high.mix(UInt64(bitPattern: sequence))
    var low = SeededHash(seed: seed, purpose: "payout-low")
    low.mix(ledger)
    low.mix(UInt64(bitPattern: sequence))
    // Version 4, variant 1 bits set, so it reads as any UUID would.
    let a = (high.value & 0xffff_ffff_ffff_0fff) | 0x0000_0000_0000_4000
    let b = (low.value & 0x3fff_ffff_ffff_ffff) | 0x8000_0000_0000_0000
    let characters = Array(hex(a) + hex(b))
    func part(_ range: Range<Int>) -> String { String(characters[range]) }
    return [part(0..<8), part(8..<12), part(12..<16), part(16..<20), part(20..<32)].joined(separator: "-")
}
