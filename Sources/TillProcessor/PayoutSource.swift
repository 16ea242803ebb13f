import Foundation
public import TillCore

/// Where Till imports payouts from: GoblinPay's payouts API (DESIGN §4), in-process or over
/// HTTP. Payouts arrive as GoblinPay's text (`PayoutWire.Payout`): the importer reads the
/// amounts into minor units itself, exactly, and refuses what does not read.
public protocol PayoutSource: Sendable {
    /// Every payout GoblinPay lists in `state` (`notifying` or `processing`), newest first, and
    /// the elements of the list that are not payouts. Throws when it could not list them: then
    /// nothing is known and nothing may be concluded.
    func payouts(in state: String) async throws -> PayoutListing
    /// Sets the payout to `processing`: true only when GoblinPay answered the list holding the
    /// payout in that state. False for a 500, an empty list, a timeout or a dropped answer
    /// (which may have applied: acknowledging again is harmless, it only counts once more).
    func acknowledge(id: String) async -> Bool
}

extension PayoutSource {
    public func notifyingPayouts() async throws -> PayoutListing { try await payouts(in: "notifying") }
}

/// One answer of the notifying list: the payouts that read as payouts, and the elements that
/// did not (by their id when at least that read), each refused on its own.
public struct PayoutListing: Sendable {
    public var payouts: [PayoutWire.Payout]
    public var unreadable: [String?]

    public init(payouts: [PayoutWire.Payout], unreadable: [String?] = []) {
        self.payouts = payouts
        self.unreadable = unreadable
    }

    /// Reads a JSON list element by element: one element of the wrong shape is refused alone.
    public static func decode(_ data: [UInt8]) throws -> PayoutListing {
        let elements = try JSONDecoder().decode([Element].self, from: Data(data))
        var listing = PayoutListing(payouts: [])
        for element in elements {
            if let payout = element.payout { listing.payouts.append(payout) } else { listing.unreadable.append(element.id) }
        }
        return listing
    }

    private struct Element: Decodable {
        let payout: PayoutWire.Payout?
        let id: String?

        enum Keys: String, CodingKey { case id }

        init(from decoder: any Decoder) throws {
            payout = try? PayoutWire.Payout(from: decoder)
            id = try? decoder.container(keyedBy: Keys.self).decode(String.self, forKey: .id)
        }
    }
}

/// The payouts API's JSON, shared by GoblinPay's service and Till's client.
public enum PayoutWire {
    public struct Payout: Codable, Sendable, Hashable {
        public let id: String
        /// Text with the currency's decimals: "12.34".
        public let amount: String
        public let currency: String
        public let createTime: String
        public let recipientAccountIdentifier: String
        public let state: String
        public let entries: [Entry]

        enum CodingKeys: String, CodingKey {
            case id, amount, currency, state, entries
            case createTime = "create_time"
            case recipientAccountIdentifier = "recipient_account_identifier"
        }

        public init(
            id: String, amount: String, currency: String, createTime: String, recipientAccountIdentifier: String, state: String,
            entries: [Entry]
        ) {
            self.id = id
            self.amount = amount
            self.currency = currency
            self.createTime = createTime
            self.recipientAccountIdentifier = recipientAccountIdentifier
            self.state = state
            self.entries = entries
        }

        public init(_ payout: GoblinPayPayout) {
            id = payout.id
            amount = payout.amount.plainText
            currency = payout.amount.currency.code
            createTime = ISO8601.format(payout.createdAt)
            recipientAccountIdentifier = payout.recipient
            state = payout.state.rawValue
            entries = payout.entries.map { Entry(kind: $0.kind.rawValue, reference: $0.reference, amount: $0.amount.plainText) }
        }

        /// The payout read exactly, or why it cannot be recorded.
        public func read() -> Result<TillCore.Payout, Rejection> {
            TillCore.Payout.read(
                id: id, amount: amount, currency: currency, createTime: createTime, recipient: recipientAccountIdentifier,
                entries: entries.map { (kind: $0.kind, reference: $0.reference, amount: $0.amount) })
        }
    }

    public struct Entry: Codable, Sendable, Hashable {
        public let kind: String
        public let reference: String
        public let amount: String

        public init(kind: String, reference: String, amount: String) {
            self.kind = kind
            self.reference = reference
            self.amount = amount
        }
    }

    /// `GET /api/payouts/count`.
    public struct Count: Codable, Sendable, Hashable {
        public let total: Int
        public let processing: Int
        public let maxUpdateCount: Int

        enum CodingKeys: String, CodingKey {
            case total, processing
            case maxUpdateCount = "max_update_count"
        }

        public init(_ count: GoblinPayPayoutCount) {
            total = count.total
            processing = count.processing
            maxUpdateCount = count.maxUpdateCount
        }
    }
}

/// The in-process GoblinPay's payouts, through the same text a remote one would send.
extension GoblinPay: PayoutSource {
    public func payouts(in state: String) async throws -> PayoutListing {
        guard let known = GoblinPayPayout.State(rawValue: state) else { return PayoutListing(payouts: []) }
        return PayoutListing(payouts: try await payouts(state: known).map(PayoutWire.Payout.init))
    }

    public func acknowledge(id: String) async -> Bool {
        guard case .updated(let payout)? = try? await acknowledgePayout(id: id) else { return false }
        return payout.state == .processing
    }
}
