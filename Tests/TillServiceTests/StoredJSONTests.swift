import Foundation
import Testing
import TillCore
@testable import TillService
import TillStore

/// A replay answers the bytes stored with the request, so `StoredJSONEncoder` must write what
/// Foundation's `JSONEncoder` wrote before it, byte for byte, for every answer and intent.
@Suite struct StoredJSONTests {
    /// Every kind of answer the service stores, with text that needs escaping where input can
    /// put it (a wallet's name, a drawer reason), each compared with Foundation's text.
    @Test func everyStoredAnswerAndIntentIsFoundationsText() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        let service = harness.service
        let odd = "Ann \"Q\" \\ / é😀\u{2028}"
        var answers: [ServiceAnswer] = []
        func run(_ request: ServiceRequest) async throws -> ServiceAnswer {
            let answer = try ok(await service.perform(request)).answer
            answers.append(answer)
            return answer
        }
        guard case .order(let order) = try await run(.createOrder(email: "ann@example.com", amount: "100.00", currency: "USD", key: "k1"))
        else { throw Failure("no order") }
        _ = try await run(.openDrawer(float: "50.00", currency: "USD", key: "k2"))
        guard case .orderPayment(let paid) = try await run(.pay(orderId: order.id, amount: "10.00", tender: .cash(tendered: "20.00"), key: "k3"))
        else { throw Failure("no payment") }
        _ = try await run(.pay(orderId: order.id, amount: "30.00", tender: Cards.card(), key: "k4"))
        _ = try await run(.refund(orderId: order.id, orderPaymentId: paid.made.id, amount: "5.00", toWallet: nil, key: "k5"))
        _ = try await run(.createAndPay(email: "bo@example.com", amount: "7.00", currency: "EUR", pay: "7.00", tender: Cards.card(), key: "k6"))
        _ = try await run(.openWallet(name: odd, currency: "USD", balance: "0", overdraft: "10.00", customer: "ann@example.com"))
        _ = try await run(.credit(wallet: odd, amount: "12.34", key: "k7"))
        _ = try await run(.debit(wallet: odd, amount: "20.00", key: "k8"))
        guard case .payment(let payment) = try await run(.authorize(number: Cards.visa, expiry: Cards.expiry, cvv: Cards.cvv, amount: "40.00", currency: "USD", key: "k9"))
        else { throw Failure("no authorization") }
        _ = try await run(.capture(paymentId: payment.id, amount: "25.00", key: "k10"))
        _ = try await run(.refundPayment(paymentId: payment.id, amount: "5.00", key: "k11"))
        _ = try await run(.payIn(amount: "3.00", reason: odd, currency: "USD", key: "k12"))
        _ = try await run(.payOut(amount: "2.00", reason: odd, currency: "USD", key: "k13"))
        _ = try await run(.closeDrawer(counted: "61.00", currency: "USD", key: "k14"))

        #expect(answers.count == 15)
        for answer in answers {
            #expect(try StoredJSONEncoder.encode(answer) == StoredJSON.foundationText(answer))
        }
        // What the ledger keeps: every stored answer, and every intent, read back and written again.
        let stored = try await harness.database.read { ledger in
            try SQLRow.fetchAll(ledger.db, sql: "SELECT operation, response, intent FROM idempotency")
        }
        #expect(stored.count >= 14)
        for row in stored {
            if case .text(let text)? = row["intent"] {
                let intent = try StoredJSON.value(Intent.self, text)
                #expect(try StoredJSONEncoder.encode(intent) == StoredJSON.foundationText(intent))
            }
        }
    }

    /// Every ASCII character, some beyond, and the shapes Codable makes: optionals left out
    /// and written as null, arrays, nested objects, dictionaries, enums with payloads.
    @Test func charactersAndShapes() throws {
        let ascii = String(String.UnicodeScalarView((0..<0x80).compactMap(Unicode.Scalar.init)))
        let sample = Shapes(
            plainText: ascii + "é€😀\u{2028}\u{FEFF}", someNumber: -42, bigNumber: .max, flag: true, absent: nil,
            explicitNull: nil, list: [1, 2, 3], nested: [Shapes.Inner(innerValue: "x", aURLKey: 7)],
            byName: ["camelKey": 1, "snake_key": 2, "B": 3, "a10": 4, "a9": 5], choice: .paid(amount: 5, note: "n"),
            kind: .rawCase)
        #expect(try StoredJSONEncoder.encode(sample) == StoredJSON.foundationText(sample))
        for scalar in (0..<0x250).compactMap(Unicode.Scalar.init) {
            let text = "a" + String(scalar) + "b"
            #expect(try StoredJSONEncoder.encode([text]) == StoredJSON.foundationText([text]))
        }
        #expect(try StoredJSONEncoder.encode(Shapes.Empty()) == StoredJSON.foundationText(Shapes.Empty()))
    }

    /// What it does not write itself, it refuses, and `StoredJSON.text` asks Foundation.
    @Test func leavesFloatingPointToFoundation() throws {
        #expect(throws: StoredJSONEncoder.Unsupported.self) { try StoredJSONEncoder.encode(["x": 1.5]) }
        #expect(try StoredJSON.text(["x": 1.5]) == StoredJSON.foundationText(["x": 1.5]))
        // A super-encoder too: what goes into it is Foundation's to write.
        #expect(throws: StoredJSONEncoder.Unsupported.self) { try StoredJSONEncoder.encode(WithSuper()) }
        #expect(try StoredJSON.text(WithSuper()) == StoredJSON.foundationText(WithSuper()))
    }

    struct Failure: Error {
        let description: String
        init(_ description: String) { self.description = description }
    }
}

private struct WithSuper: Encodable {
    enum CodingKeys: String, CodingKey { case ownValue }
    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(1, forKey: .ownValue)
        var parent = container.superEncoder().singleValueContainer()
        try parent.encode("from the parent")
    }
}

private struct Shapes: Encodable {
    struct Inner: Encodable {
        let innerValue: String
        let aURLKey: Int
    }

    struct Empty: Encodable {}

    enum Choice: Encodable {
        case paid(amount: Int64, note: String)
        case none
    }

    enum Kind: String, Encodable {
        case rawCase = "raw_case"
    }

    let plainText: String
    let someNumber: Int
    let bigNumber: Int64
    let flag: Bool
    let absent: String?
    let explicitNull: String?
    let list: [Int]
    let nested: [Inner]
    let byName: [String: Int]
    let choice: Choice
    let kind: Kind

    enum CodingKeys: String, CodingKey {
        case plainText, someNumber, bigNumber, flag, absent, explicitNull, list, nested, byName, choice, kind
    }

    func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(plainText, forKey: .plainText)
        try container.encode(someNumber, forKey: .someNumber)
        try container.encode(bigNumber, forKey: .bigNumber)
        try container.encode(flag, forKey: .flag)
        try container.encodeIfPresent(absent, forKey: .absent)
        try container.encodeNil(forKey: .explicitNull)
        try container.encode(list, forKey: .list)
        try container.encode(nested, forKey: .nested)
        try container.encode(byName, forKey: .byName)
        try container.encode(choice, forKey: .choice)
        try container.encode(kind, forKey: .kind)
    }
}
