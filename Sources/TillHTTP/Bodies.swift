import Foundation
import Hummingbird
import TillCore
import TillService

// The request bodies of DESIGN §6. Amounts arrive as `{"minor_units": 1000, "currency": "USD"}`
// and reach the service as the text the CLI would type, in their own currency: every rule on
// amounts (positive, within range, the target's currency) stays in the core, checked once.

struct AmountBody: Decodable, Sendable {
    let minorUnits: Int64
    let currency: String

    enum CodingKeys: String, CodingKey { case minorUnits = "minor_units", currency }

    /// A `minor_units` that is a number but not a whole one within 64 bits is refused for what
    /// it is (`amount_too_large`, `invalid_amount`), not as a body that is not JSON.
    init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        currency = try container.decode(String.self, forKey: .currency)
        do {
            minorUnits = try container.decode(Int64.self, forKey: .minorUnits)
        } catch {
            guard let number = try? container.decode(Decimal.self, forKey: .minorUnits) else { throw error }
            var value = number, whole = Decimal()
            NSDecimalRound(&whole, &value, 0, .plain)
            throw whole == number
                ? Rejection(.amountTooLarge, "`minor_units` does not fit in 64 bits: the amount is too large.")
                : Rejection(.invalidAmount, "`minor_units` must be a whole number of minor units.")
        }
    }

    /// The amount as text in its currency's decimals ("10.00"); an unknown currency is refused.
    func text() throws(Rejection) -> String {
        let currency = try Currency.named(self.currency).get()
        guard minorUnits >= 0 else { throw Rejection(.invalidAmount, "`minor_units` must not be negative.") }
        return Money(minorUnits: minorUnits, currency: currency).plainText
    }

    /// A second amount of the same request must be in this one's currency.
    func requireSameCurrency(_ other: AmountBody?, _ what: String) throws(Rejection) {
        guard let other, other.currency.uppercased() != currency.uppercased() else { return }
        throw Rejection(.currencyMismatch, "\(what) is in \(other.currency.echoed(limit: 8)), the amount in \(currency.echoed(limit: 8)).")
    }
}

struct CardBody: Decodable, Sendable {
    let pan: String
    let expiry: String
    let cvv: String
}

/// How an installment is paid: `{"kind": "card", "card": {...}}`, `{"kind": "cash",
/// "tendered": amount?}` (exact cash when absent) or `{"kind": "wallet", "name": "..."}`.
struct TenderBody: Decodable, Sendable {
    let kind: String
    let card: CardBody?
    let tendered: AmountBody?
    let name: String?

    func input(paying amount: AmountBody) throws(Rejection) -> TenderInput {
        switch kind {
        case "card":
            guard let card, tendered == nil, name == nil else {
                throw Rejection(.invalidRequest, "A card tender carries `card` ({pan, expiry, cvv}) and nothing else.")
            }
            return .card(number: card.pan, expiry: card.expiry, cvv: card.cvv)
        case "cash":
            guard card == nil, name == nil else { throw Rejection(.invalidRequest, "A cash tender carries only `tendered`.") }
            try amount.requireSameCurrency(tendered, "The cash tendered")
            return .cash(tendered: try (tendered ?? amount).text())
        case "wallet":
            guard let name, card == nil, tendered == nil else {
                throw Rejection(.invalidRequest, "A wallet tender carries the wallet's `name` and nothing else.")
            }
            return .wallet(name: name)
        default:
            throw Rejection(.invalidRequest, "The tender kind \(kind.echoed(limit: 20)) is not card, cash or wallet.")
        }
    }
}

struct NewOrderBody: Decodable, Sendable {
    let email: String
    let amount: AmountBody
}

struct PaymentBody: Decodable, Sendable {
    let amount: AmountBody
    let tender: TenderBody
}

struct CreateAndPayBody: Decodable, Sendable {
    let email: String
    let amount: AmountBody
    /// What to pay now; the whole amount when absent.
    let pay: AmountBody?
    let tender: TenderBody
}

struct OrderRefundBody: Decodable, Sendable {
    let paymentId: String
    let amount: AmountBody
    let toWallet: String?

    enum CodingKeys: String, CodingKey { case paymentId = "payment_id", amount, toWallet = "to_wallet" }
}

struct AuthorizeBody: Decodable, Sendable {
    let card: CardBody
    let amount: AmountBody
}

struct GatewayAmountBody: Decodable, Sendable {
    let authorizationId: String
    let amount: AmountBody

    enum CodingKeys: String, CodingKey { case authorizationId = "authorization_id", amount }
}

struct GatewayBody: Decodable, Sendable {
    let authorizationId: String

    enum CodingKeys: String, CodingKey { case authorizationId = "authorization_id" }
}

struct NewAccountBody: Decodable, Sendable {
    let name: String
    let overdraftLimit: AmountBody?
    let currency: String?
    /// The customer (email) whose store credit this is: refunds to store credit go only there.
    let customer: String?

    enum CodingKeys: String, CodingKey { case name, overdraftLimit = "overdraft_limit", currency, customer }
}

struct AccountMoveBody: Decodable, Sendable {
    let amount: AmountBody
    let transactionId: String?

    enum CodingKeys: String, CodingKey { case amount, transactionId = "transaction_id" }
}

/// Reading a body: at most `limit` bytes, then JSON into `T`. Any failure is a rejection whose
/// message names the field, never repeats the body.
enum BodyReader {
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int) async throws(Rejection) -> T {
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: limit)
        } catch {
            throw Rejection(.bodyTooLarge, "The body is larger than \(limit) bytes.")
        }
        do {
            return try Wire.decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let rejection as Rejection {
            throw rejection
        } catch let error as DecodingError {
            throw Rejection(.invalidRequest, describe(error))
        } catch {
            throw Rejection(.invalidRequest, "The body is not JSON.")
        }
    }

    /// Which field was wrong, by the request's own (snake_case) names.
    static func describe(_ error: DecodingError) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            let names = keys.map { key in key.intValue.map { "[\($0)]" } ?? key.stringValue }
            // The names are the request type's own keys, never the client's text.
            return names.isEmpty ? "The body" : "`" + String(names.joined(separator: ".").prefix(80)) + "`"
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context.codingPath + [key])) is missing."
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(path(context.codingPath)) has the wrong type" + (context.codingPath.last?.stringValue == "minor_units" ? " (a whole number of minor units within 64 bits)." : ".")
        case .dataCorrupted(let context):
            return context.codingPath.isEmpty ? "The body is not valid JSON." : "\(path(context.codingPath)) is not valid."
        @unknown default: return "The body could not be read."
        }
    }
}
