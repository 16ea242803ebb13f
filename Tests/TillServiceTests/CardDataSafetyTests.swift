import Foundation
import Testing
import TillCore
import TillProcessor
import TillService
import TillStore

#if canImport(Glibc)
import Glibc
#endif

/// Whatever Till and GoblinPay write to disk never holds a card number or a security code,
/// and the files are private to their owner.
@Suite("Card data safety")
struct CardDataSafetyTests {
    struct TypedCard {
        let digits: String
        let spaced: [String]
        let cvv: String
    }

    static let visa = TypedCard(digits: "4242424242424242", spaced: ["4242 4242 4242 4242"], cvv: "739")
    static let mastercard = TypedCard(digits: "5555555555554444", spaced: ["5555 5555 5555 4444"], cvv: "846")
    static let amex = TypedCard(digits: "378282246310005", spaced: ["3782 822463 10005", "3782 8224 6310 005"], cvv: "7391")
    static let declined = TypedCard(digits: "4000000000000002", spaced: ["4000 0000 0000 0002"], cvv: "517")

    @Test func noFileHoldsACardNumberOrSecurityCode() async throws {
        let harness = try Harness(goblinOnFile: true, ids: CountingIds().source)
        defer { harness.remove() }
        let service = harness.service
        func tender(_ card: TypedCard, spaced: Bool = true) -> TenderInput {
            .card(number: spaced ? card.spaced[0] : card.digits, expiry: Cards.expiry, cvv: card.cvv)
        }

        // The gateway: authorize (typed with spaces), capture, refund.
        let payment = try ok(await service.authorize(
            number: Self.visa.spaced[0], expiry: Cards.expiry, cvv: Self.visa.cvv, amount: "12.00", currency: "USD", key: "auth")).response
        _ = try ok(await service.capture(paymentId: payment.id, amount: "5.00", key: "cap"))
        _ = try ok(await service.refundPayment(paymentId: payment.id, amount: "2.00", key: "ref"))
        // Orders: an installment, a create-and-pay with a 4-digit code, a decline, and one whose
        // outcome is still unknown (its intent stays in the ledger).
        let orderId = try ok(await service.createOrder(email: "safe@example.com", amount: "90.00")).response.id
        _ = try ok(await service.pay(orderId: orderId, amount: "20.00", tender: tender(Self.mastercard, spaced: false), key: "p1"))
        _ = try ok(await service.createAndPay(email: "safe@example.com", amount: "33.00", tender: tender(Self.amex), key: "cp"))
        #expect(code(await service.pay(orderId: orderId, amount: "5.00", tender: tender(Self.declined), key: "p2")) == .processorDeclined)
        harness.goblin.inject(.errorAfterApplying, on: .capture)
        #expect(code(await service.pay(orderId: orderId, amount: "10.00", tender: tender(Self.amex, spaced: false), key: "p3")) == .paymentPending)
        #expect(try await harness.requestState(key: "p3") == "outcome_unknown")

        // Every byte of every file in the directory, read while the ledgers are open (so the
        // recent writes are still in the -wal files). A PostgreSQL ledger is in no file there:
        // every cell of its database (a dump) is searched instead.
        var files: [String: [UInt8]] = [:]
        for path in try harness.directory.files() {
            files[path] = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        }
        let ledgerFiles = harness.database.isPostgres ? [] : ["till.sqlite", "till.sqlite-wal"]
        let names = Set(files.keys.map { URL(fileURLWithPath: $0).lastPathComponent })
        #expect(names.isSuperset(of: ledgerFiles + ["goblinpay.sqlite", "goblinpay.sqlite-wal"]))
        if let dump = try await harness.postgresDump() {
            #expect(!dump.cells.isEmpty)
            files["dump of \(harness.databasePath)"] = dump.bytes
        }
        // The secret is not among them: it lives in the secrets directory.
        #expect(!names.contains { $0.hasSuffix(".key") })
        let everything = files.values.flatMap { $0 }
        // The search can see what was written: the summaries Till may keep are there.
        #expect(contains(everything, "424242"))
        #expect(contains(everything, "555555"))
        #expect(contains(everything, "gp_auth_"))
        #expect(contains(everything, "safe@example.com"))

        // Random hex that may contain any digits by chance: card fingerprints, the secret and
        // GoblinPay's references. Taken out before looking for a security code.
        let keyPath = try StoreHardeningTests.keyPath(harness.database, harness.directory.secrets)
        let keyText = try String(contentsOfFile: keyPath, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        var randomHex = [Self.visa, Self.mastercard, Self.amex, Self.declined].map { harness.database.cardFingerprint(digits: $0.digits) }
        randomHex.append(keyText)
        randomHex += try await harness.goblin.ledger.entries().map(\.reference)

        for (path, bytes) in files {
            for card in [Self.visa, Self.mastercard, Self.amex, Self.declined] {
                for form in [card.digits] + card.spaced {
                    #expect(!contains(bytes, form), "\(path) holds the card number \(form)")
                }
                let scrubbed = randomHex.reduce(bytes) { removing($1, from: $0) }
                if card.cvv.count == 4 {
                    #expect(!contains(scrubbed, card.cvv), "\(path) holds the security code \(card.cvv)")
                } else {
                    #expect(!containsToken(scrubbed, card.cvv), "\(path) holds the security code \(card.cvv)")
                }
            }
            #expect(!contains(lowercased(bytes), "cvv"), "\(path) mentions a security code")
        }

        // The secret is never in a ledger, as text or as bytes.
        let secret = try #require(hexBytes(keyText))
        #expect(secret.count == 32)
        for (path, bytes) in files {
            #expect(!contains(bytes, keyText), "\(path) holds the card-fingerprint secret")
            #expect(!contains(bytes, secret), "\(path) holds the card-fingerprint secret's bytes")
        }

        // The files are private.
        for name in ledgerFiles + ["goblinpay.sqlite", "goblinpay.sqlite-wal"] {
            #expect(try mode(harness.directory.path(name)) == 0o600, "\(name)")
        }
        #expect(try mode(keyPath) == 0o600)
        #expect(try mode(harness.directory.secrets) == 0o700)
    }

    @Test func aFreshDatabaseAndKeyAreCreatedPrivateWhateverTheUmask() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let previous = umask(0)
        defer { umask(previous) }
        let path = directory.path("nested/till.sqlite")
        // Opening never creates a folder (issue 10): the ledger's folder is made first.
        try FileManager.default.createDirectory(atPath: directory.path("nested"), withIntermediateDirectories: false)
        let database = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
        #expect(try mode(path) == 0o600)
        #expect(try mode(StoreHardeningTests.keyPath(database, directory.secrets)) == 0o600)
        #expect(try mode(directory.secrets) == 0o700)
        // The same card gets the same fingerprint here, and another one in another database
        // (whose secret shares the secrets directory under its own ledger id).
        let other = try TillDatabase.open(path: directory.path("other.sqlite"), secretsDirectory: directory.secrets)
        let fingerprint = database.cardFingerprint(digits: Self.visa.digits)
        #expect(fingerprint == database.cardFingerprint(digits: Self.visa.digits))
        #expect(fingerprint != other.cardFingerprint(digits: Self.visa.digits))
        #expect(!fingerprint.contains(Self.visa.digits))
        // Reopening keeps the secret (fingerprints keep matching).
        let reopened = try TillDatabase.open(path: path, secretsDirectory: directory.secrets)
        #expect(reopened.cardFingerprint(digits: Self.visa.digits) == fingerprint)
    }
}

// MARK: - Bytes

func contains(_ haystack: [UInt8], _ needle: String) -> Bool { contains(haystack, Array(needle.utf8)) }

func contains(_ haystack: [UInt8], _ needle: [UInt8]) -> Bool { firstIndex(of: needle, in: haystack, from: 0) != nil }

func firstIndex(of needle: [UInt8], in haystack: [UInt8], from start: Int) -> Int? {
    guard !needle.isEmpty, haystack.count >= needle.count, start <= haystack.count - needle.count else { return nil }
    var index = start
    while index <= haystack.count - needle.count {
        if haystack[index] == needle[0], haystack[index..<index + needle.count].elementsEqual(needle) { return index }
        index += 1
    }
    return nil
}

/// The bytes with every occurrence of `needle` cut out.
func removing(_ needle: String, from haystack: [UInt8]) -> [UInt8] {
    let pattern = Array(needle.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(haystack.count)
    var index = 0
    while let found = firstIndex(of: pattern, in: haystack, from: index) {
        out += haystack[index..<found]
        index = found + pattern.count
    }
    out += haystack[index...]
    return out
}

/// Whether `token` appears with no letter or digit right before or after it (as a stored
/// value or a JSON field would).
func containsToken(_ haystack: [UInt8], _ token: String) -> Bool {
    let pattern = Array(token.utf8)
    func isAlphanumeric(_ byte: UInt8) -> Bool {
        (0x30...0x39).contains(byte) || (0x41...0x5a).contains(byte) || (0x61...0x7a).contains(byte)
    }
    var index = 0
    while let found = firstIndex(of: pattern, in: haystack, from: index) {
        let before = found > 0 ? haystack[found - 1] : 0
        let afterIndex = found + pattern.count
        let after = afterIndex < haystack.count ? haystack[afterIndex] : 0
        if !isAlphanumeric(before), !isAlphanumeric(after) { return true }
        index = found + 1
    }
    return false
}

func lowercased(_ bytes: [UInt8]) -> [UInt8] { bytes.map { (0x41...0x5a).contains($0) ? $0 + 0x20 : $0 } }

func hexBytes(_ text: String) -> [UInt8]? {
    let characters = Array(text.utf8)
    guard characters.count.isMultiple(of: 2) else { return nil }
    var bytes: [UInt8] = []
    for index in stride(from: 0, to: characters.count, by: 2) {
        guard let byte = UInt8(String(decoding: characters[index..<index + 2], as: UTF8.self), radix: 16) else { return nil }
        bytes.append(byte)
    }
    return bytes
}

struct FileModeError: Error {
    let path: String
}

/// The permission bits of a file.
func mode(_ path: String) throws -> mode_t {
    var info = stat()
    guard stat(path, &info) == 0 else { throw FileModeError(path: path) }
    return info.st_mode & 0o777
}
