import Foundation
import TillCore
import TillProcessor
import TillScenario
import TillService

// A scenario's `till` commands translated into the HTTP calls of DESIGN §6, and each answer
// printed back the way `till … --json` prints it (ScenarioReplayTests runs them). The rule:
// every command of the CLI's order / payment / wallet groups has a route; `--key` is the
// `Idempotency-Key` (the wallet calls send it as `transaction_id`); an amount typed "10.00"
// becomes minor units in the currency of its target (the order's, the payment's, the wallet's,
// asked for with a GET), by TillCore's own parser, never floating point.

/// A command line as the CLI reads it: the command (`order pay`), its positional arguments and
/// its `--option value` pairs (`--option=value` too). `--json` is the runner's and is dropped.
struct TypedCommand: Sendable {
    let name: String
    let positionals: [String]
    let options: [String: String]

    /// The commands with a route: how many positional arguments each takes, and its options.
    static let routes: [String: (positionals: Int, options: Set<String>)] = [
        "order create": (0, ["email", "amount", "currency", "key"]),
        "order get": (1, []),
        "order list": (0, ["email", "limit"]),
        "order pay": (1, ["amount", "key", "card", "expiry", "cvv", "cash", "wallet"]),
        "order create-and-pay": (0, ["email", "amount", "currency", "pay", "key", "card", "expiry", "cvv", "cash", "wallet"]),
        "order refund": (1, ["payment", "amount", "key", "to-wallet"]),
        "payment authorize": (0, ["card", "expiry", "cvv", "amount", "currency", "key"]),
        "payment capture": (1, ["amount", "key"]),
        "payment refund": (1, ["amount", "key"]),
        "payment void": (1, ["key"]),
        "payment release": (1, ["key"]),
        "payment get": (1, []),
        "wallet open": (1, ["currency", "balance", "overdraft", "customer"]),
        "wallet credit": (1, ["amount", "key", "currency"]),
        "wallet debit": (1, ["amount", "key", "currency"]),
        "wallet get": (1, []),
    ]

    /// Reads `words` (without `till`), or says why the command has no HTTP translation.
    static func read(_ words: [String]) -> Result<TypedCommand, Gap> {
        let words = words.filter { $0 != "--json" }
        guard let group = words.first, ["order", "payment", "wallet"].contains(group), words.count >= 2 else {
            return .failure(Gap("`till \(words.first ?? "")` has no route in DESIGN §6"))
        }
        let name = words[0] + " " + words[1]
        guard let route = routes[name] else { return .failure(Gap("`till \(name)` has no route in DESIGN §6")) }
        var positionals: [String] = []
        var options: [String: String] = [:]
        var index = 2
        while index < words.count {
            let word = words[index]
            index += 1
            guard word.hasPrefix("--"), word.count > 2 else {
                positionals.append(word)
                continue
            }
            let option: String, value: String
            if let equals = word.firstIndex(of: "=") {
                option = String(word[word.index(word.startIndex, offsetBy: 2)..<equals])
                value = String(word[word.index(after: equals)...])
            } else {
                guard index < words.count else { return .failure(Gap("`\(word)` has no value")) }
                option = String(word.dropFirst(2))
                value = words[index]
                index += 1
            }
            guard route.options.contains(option) else { return .failure(Gap("`till \(name) --\(option)` has no HTTP equivalent")) }
            guard options.updateValue(value, forKey: option) == nil else { return .failure(Gap("`--\(option)` is given twice")) }
        }
        guard positionals.count == route.positionals else {
            return .failure(Gap("`till \(name)` takes \(route.positionals) argument(s), not \(positionals.count)"))
        }
        return .success(TypedCommand(name: name, positionals: positionals, options: options))
    }

    struct Gap: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    var target: String { positionals.first ?? "" }
}

/// Typed amounts as minor units: the JSON number's text, exact.
enum MinorUnits {
    /// TillCore's parse in `code`'s decimals. What the parser refuses only for its sign or its
    /// size ("-5", more than Int64 holds) is still sent, as the negative or huge number it is:
    /// the server must refuse it itself. What cannot be written as a whole number of minor
    /// units at all ("ten", "1e3", "10.001" dollars) is refused here, as any HTTP client must.
    static func text(_ typed: String, currency code: String) -> Result<String, Rejection> {
        guard case .success(let currency) = Currency.named(code) else {
            // The server reads the currency before the number: any number will do.
            return .success(digits(typed.filter { ("0"..."9").contains($0) }))
        }
        let trimmed = typed.trimmingBlanks()
        let negative = trimmed.hasPrefix("-")
        let magnitude = negative ? String(trimmed.dropFirst()) : trimmed
        let sign = negative ? "-" : ""
        switch Money.parse(magnitude, currency: currency) {
        case .success(let money): return .success(money.minorUnits == 0 ? "0" : sign + String(money.minorUnits))
        case .failure(let rejection) where rejection.code == .amountTooLarge:
            let parts = magnitude.split(separator: ".", omittingEmptySubsequences: false)
            let fraction = parts.count == 2 ? String(parts[1]) : ""
            return .success(sign + digits(String(parts[0]) + fraction + String(repeating: "0", count: currency.exponent - fraction.count)))
        case .failure(let rejection):
            guard negative, case .failure(let asTyped) = Money.parse(trimmed, currency: currency) else { return .failure(rejection) }
            return .failure(asTyped)
        }
    }

    private static func digits(_ text: String) -> String {
        let significant = text.drop { $0 == "0" }
        return significant.isEmpty ? "0" : String(significant)
    }
}

/// JSON text written by hand: strings escaped as the scenario reader writes them, numbers as given.
enum JSONText {
    static func string(_ text: String) -> String { ScenarioJSON.string(text).description }

    /// An object of the members whose value is not nil, in order.
    static func object(_ members: [(String, String?)]) -> String {
        "{" + members.compactMap { key, value in value.map { string(key) + ":" + $0 } }.joined(separator: ",") + "}"
    }

    static func amount(_ minorUnits: String, _ currency: String) -> String {
        object([("minor_units", minorUnits), ("currency", string(currency))])
    }
}

/// One HTTP answer, its body read as scenario JSON when it is JSON.
struct Reply: Sendable {
    let method: String
    let path: String
    let status: Int
    let headers: [(name: String, value: String)]
    let text: String
    let json: ScenarioJSON?

    func header(_ name: String) -> String? { headers.first { $0.name.lowercased() == name.lowercased() }?.value }
    var succeeded: Bool { (200..<300).contains(status) }
}

/// The HTTP calls of one command, in order, for the report.
final class Exchanges {
    let base: String
    private(set) var trace: [String] = []

    init(base: String) { self.base = base }

    func send(_ method: String, _ path: String, _ body: String? = nil, key: String? = nil) async -> Reply {
        var headers = [("Authorization", "Bearer \(APIHarness.token)")]
        if body != nil { headers.append(("Content-Type", "application/json")) }
        if let key { headers.append(("Idempotency-Key", key)) }
        do {
            let answer = try await HTTPExchange.send(method, base + path, headers: headers, body: body.map { Array($0.utf8) }, timeout: .seconds(60))
            let text = answer.text
            trace.append("\(method) \(path)\(key.map { " [Idempotency-Key: \($0)]" } ?? "") \(Self.masked(body ?? "")) -> \(answer.status) \(text)")
            return Reply(method: method, path: path, status: answer.status, headers: answer.headers, text: text, json: ScenarioJSON(parsing: text))
        } catch {
            trace.append("\(method) \(path) -> no answer (\(error))")
            return Reply(method: method, path: path, status: 0, headers: [], text: "", json: nil)
        }
    }

    /// A body as the report shows it: no card number or security code (PCI DSS 3.3).
    static func masked(_ body: String) -> String {
        body.replacing(#/"pan":"[^"]*"/#, with: #""pan":"••••""#).replacing(#/"cvv":"[^"]*"/#, with: #""cvv":"•••""#)
    }

    /// The `currency` of what `path` reads, else USD (the CLI's default) when there is nothing
    /// there: the call that follows is answered `not_found` on its own route.
    func currency(of path: String) async -> String {
        let reply = await send("GET", path)
        if reply.succeeded, case .string(let code)? = reply.json?["currency"] { return code }
        return "USD"
    }
}

/// What a command came to: an HTTP answer, or a refusal before any request could be written.
enum Outcome: Sendable {
    /// `keyed`: the key of a keyed operation, whose JSON the CLI prints with `key` and `replayed`.
    case reply(Reply, keyed: String?)
    case refusedHere(Rejection)
    /// The CLI's parser would have refused the line (exit 64).
    case usage(String)
}

/// Translates one command into its HTTP calls against `exchanges`.
struct HTTPTranslation {
    let command: TypedCommand
    let exchanges: Exchanges

    private var option: [String: String] { command.options }
    private static func freshKey() -> String { "replay-" + UUID().uuidString.lowercased() }

    static func segment(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }

    /// Runs `body` with the minor units of option `name` in `currency`, or refuses the amount.
    private func amount(_ name: String, in currency: String, _ body: (String) async -> Outcome) async -> Outcome {
        guard let typed = option[name] else { return .usage("Missing expected argument '--\(name) <\(name)>'") }
        switch MinorUnits.text(typed, currency: currency) {
        case .success(let minor): return await body(JSONText.amount(minor, currency))
        case .failure(let rejection): return .refusedHere(rejection)
        }
    }

    /// `amount` for an option that may be left out (nil then).
    private func optionalAmount(_ name: String, in currency: String, _ body: (String?) async -> Outcome) async -> Outcome {
        guard option[name] != nil else { return await body(nil) }
        return await amount(name, in: currency) { await body($0) }
    }

    private func keyed(_ path: String, _ body: String, key: String? = nil) async -> Outcome {
        let key = key ?? option["key"] ?? Self.freshKey()
        return .reply(await exchanges.send("POST", path, body, key: key), keyed: key)
    }

    private func get(_ path: String) async -> Outcome { .reply(await exchanges.send("GET", path), keyed: nil) }

    func run() async -> Outcome {
        let id = Self.segment(command.target)
        switch command.name {
        case "order create":
            let currency = option["currency"] ?? "USD"
            return await amount("amount", in: currency) { amount in
                await keyed("/orders", JSONText.object([("email", option["email"].map(JSONText.string)), ("amount", amount)]))
            }
        case "order get": return await get("/orders/\(id)")
        case "order list":
            guard let email = option["email"] else { return .usage("Missing expected argument '--email <email>'") }
            return await get("/orders?email=\(Self.segment(email))&limit=\(option["limit"] ?? "100")")
        case "order pay":
            let currency = await exchanges.currency(of: "/orders/\(id)")
            return await amount("amount", in: currency) { amount in
                await tender(in: currency) { tender in
                    await keyed("/orders/\(id)/payments", JSONText.object([("amount", amount), ("tender", tender)]))
                }
            }
        case "order create-and-pay":
            let currency = option["currency"] ?? "USD"
            return await amount("amount", in: currency) { amount in
                await tender(in: currency) { tender in
                    await optionalAmount("pay", in: currency) { pay in
                        await keyed("/orders/pay", JSONText.object([
                            ("email", option["email"].map(JSONText.string)), ("amount", amount), ("pay", pay), ("tender", tender),
                        ]))
                    }
                }
            }
        case "order refund":
            let currency = await exchanges.currency(of: "/orders/\(id)")
            return await amount("amount", in: currency) { amount in
                await keyed("/orders/\(id)/refunds", JSONText.object([
                    ("payment_id", option["payment"].map(JSONText.string)), ("amount", amount),
                    ("to_wallet", option["to-wallet"].map(JSONText.string)),
                ]))
            }
        case "payment authorize":
            return await amount("amount", in: option["currency"] ?? "USD") { amount in
                await keyed("/authorize", JSONText.object([("card", card), ("amount", amount)]))
            }
        case "payment capture", "payment refund":
            let currency = await exchanges.currency(of: "/payments/\(id)")
            let path = command.name == "payment capture" ? "/capture" : "/refund"
            return await amount("amount", in: currency) { amount in
                await keyed(path, JSONText.object([("authorization_id", JSONText.string(command.target)), ("amount", amount)]))
            }
        case "payment void", "payment release":
            let path = command.name == "payment void" ? "/void" : "/release"
            return await keyed(path, JSONText.object([("authorization_id", JSONText.string(command.target))]))
        case "payment get": return await get("/payments/\(id)")
        case "wallet open": return await openWallet()
        case "wallet credit", "wallet debit":
            let currency: String
            if let given = option["currency"] { currency = given } else { currency = await exchanges.currency(of: "/accounts/\(id)") }
            let path = "/accounts/\(id)/" + (command.name == "wallet credit" ? "deposit" : "withdraw")
            guard let key = option["key"] else { return .usage("Missing expected argument '--key <key>'") }
            return await amount("amount", in: currency) { amount in
                // The wallet calls take the key as the body's transaction id.
                let body = JSONText.object([("amount", amount), ("transaction_id", JSONText.string(key))])
                return .reply(await exchanges.send("POST", path, body), keyed: key)
            }
        case "wallet get": return await get("/accounts/\(id)")
        default: return .usage("no translation for `till \(command.name)`")
        }
    }

    /// `{pan, expiry, cvv}` of `--card`, `--expiry`, `--cvv` (absent ones as empty strings: the
    /// server names the field).
    private var card: String {
        JSONText.object([
            ("pan", JSONText.string(option["card"] ?? "")), ("expiry", JSONText.string(option["expiry"] ?? "")),
            ("cvv", JSONText.string(option["cvv"] ?? "")),
        ])
    }

    /// The tender of an installment, read as the CLI reads it (exactly one; a card with its
    /// expiry and code), `--cash` in the order's currency.
    private func tender(in currency: String, _ body: (String) async -> Outcome) async -> Outcome {
        let given = ["card", "cash", "wallet"].filter { option[$0] != nil }
        guard given.count == 1 else {
            return .refusedHere(Rejection(.invalidRequest, "Give exactly one tender: --card (with --expiry and --cvv), --cash or --wallet."))
        }
        switch given[0] {
        case "card":
            guard option["expiry"] != nil, option["cvv"] != nil else {
                return .refusedHere(Rejection(.invalidRequest, "A card needs --expiry MM/YY and --cvv."))
            }
            return await body(JSONText.object([("kind", JSONText.string("card")), ("card", card)]))
        case "cash":
            return await amount("cash", in: currency) { tendered in
                await body(JSONText.object([("kind", JSONText.string("cash")), ("tendered", tendered)]))
            }
        default:
            return await body(JSONText.object([("kind", JSONText.string("wallet")), ("name", option["wallet"].map(JSONText.string))]))
        }
    }

    /// `POST /accounts` has no opening balance (DESIGN §6: name, overdraft_limit, currency): a
    /// balance is deposited right after opening, under a key of its own, and the deposit's
    /// answer (the account) is what prints. A balance that is not a depositable amount is
    /// refused before the account is opened, as the CLI refuses the whole command.
    private func openWallet() async -> Outcome {
        let currency = option["currency"] ?? "USD"
        var balance: Money?
        if let typed = option["balance"], case .success(let known) = Currency.named(currency) {
            switch Money.parse(typed, currency: known) {
            case .success(let money): balance = money
            case .failure(let rejection): return .refusedHere(rejection)
            }
        }
        var overdraft: String?
        if let typed = option["overdraft"] {
            switch MinorUnits.text(typed, currency: currency) {
            case .success(let minor): overdraft = JSONText.amount(minor, currency)
            case .failure(let rejection): return .refusedHere(rejection)
            }
        }
        let opened = await exchanges.send("POST", "/accounts", JSONText.object([
            ("name", JSONText.string(command.target)), ("overdraft_limit", overdraft),
            ("currency", option["currency"].map(JSONText.string)), ("customer", option["customer"].map(JSONText.string)),
        ]))
        guard opened.succeeded, let balance, balance.minorUnits > 0 else { return .reply(opened, keyed: nil) }
        let deposit = JSONText.object([
            ("amount", JSONText.amount(String(balance.minorUnits), balance.currency.code)), ("transaction_id", JSONText.string(Self.freshKey())),
        ])
        return .reply(await exchanges.send("POST", "/accounts/\(Self.segment(command.target))/deposit", deposit), keyed: nil)
    }
}
