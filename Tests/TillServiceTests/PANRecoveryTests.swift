import Crypto
import Foundation
import GRDB
import Testing
import TillCore
import TillService

/// Issue 10, finding 3: with first 6 and last 4 stored beside an HMAC fingerprint, only 6
/// digits are unknown (10^5 candidates after Luhn), so whoever has the fingerprint's secret
/// rebuilds every card number in seconds. The ledger's folder (ledger, -wal, GoblinPay's
/// ledger, anything beside them) must never hold that secret. `scripts/pan-recovery.py` is the
/// same attack from the command line.
@Suite("PAN recovery from a copy of the ledger folder")
struct PANRecoveryTests {
    /// Eight cards of five brands; the codes are chosen not to occur in a ledger by chance.
    static let cards: [(number: String, cvv: String)] = [
        ("4242424242424242", "739"), ("5555555555554444", "846"), ("378282246310005", "7391"),
        ("4111111111111111", "628"), ("5105105105105100", "935"), ("6011111111111117", "571"),
        ("371449635398431", "4826"), ("4012888888881881", "364"),
    ]

    /// A ledger folder (GoblinPay's ledger beside the till's, as in production) holding all
    /// eight cards: half as order installments, half as gateway authorizations.
    static func ledgerWithEightCards() async throws -> Harness {
        let harness = try Harness(goblinOnFile: true)
        let orderId = try ok(await harness.service.createOrder(email: "pan@example.com", amount: "900.00")).response.id
        for (index, card) in cards.enumerated() {
            let key = "card-\(index)"
            if index.isMultiple(of: 2) {
                _ = try ok(await harness.service.pay(
                    orderId: orderId, amount: "10.00", tender: .card(number: card.number, expiry: Cards.expiry, cvv: card.cvv), key: key))
            } else {
                _ = try ok(await harness.service.authorize(
                    number: card.number, expiry: Cards.expiry, cvv: card.cvv, amount: "10.00", currency: "USD", key: key))
            }
        }
        return harness
    }

    /// On PostgreSQL, the folder (GoblinPay's ledger) and a dump of the database.
    @Test func aCopyOfTheLedgerFolderGivesBackNoCardNumber() async throws {
        let harness = try await Self.ledgerWithEightCards()
        defer { harness.remove() }
        let attack = try FolderAttack(copying: harness.directory.url.path, dump: try await harness.postgresDump())
        // It saw every stored card; it found no secret to test candidates with.
        #expect(attack.cards.count == Self.cards.count)
        #expect(attack.secretsFound == 0)
        #expect(attack.recovered.isEmpty, "recovered \(attack.recovered.count) of \(Self.cards.count) card numbers")
        let typed = Set(Self.cards.map(\.number))
        #expect(attack.luhnRuns.filter(typed.contains).isEmpty)
        for card in Self.cards {
            #expect(!attack.files.contains { containsToken($0.bytes, card.cvv) }, "a file holds the security code \(card.cvv)")
        }
    }
}

/// What someone holding only a copy of a ledger's folder can rebuild, tried as the issue's
/// tester did: every file that reads as a 32-byte secret (64 hex digits), every stored card
/// (first 6, last 4, fingerprint) with its 6 (Amex: 5) unknown digits enumerated under a Luhn
/// filter and each candidate's HMAC-SHA256 compared; and every file scanned for 12-19 digit
/// runs that pass Luhn.
struct FolderAttack {
    struct StoredCard: Hashable {
        let first6: String
        let last4: String
        let brand: String
        let fingerprint: String
    }

    /// HMAC-SHA256 under one key, its padded-key blocks hashed once for all candidates.
    struct KeyedHash {
        let inner: SHA256
        let outer: SHA256

        init(key: [UInt8]) {
            let block = key + [UInt8](repeating: 0, count: 64 - key.count)
            var inner = SHA256(), outer = SHA256()
            inner.update(data: block.map { $0 ^ 0x36 })
            outer.update(data: block.map { $0 ^ 0x5c })
            self.inner = inner
            self.outer = outer
        }

        func matches(_ message: [UInt8], _ target: [UInt8]) -> Bool {
            var first = inner
            first.update(data: message)
            var second = outer
            second.update(data: Array(first.finalize()))
            return second.finalize().elementsEqual(target)
        }
    }

    let files: [(path: String, bytes: [UInt8])]
    private(set) var secrets: [KeyedHash] = []
    private(set) var cards: Set<StoredCard> = []
    private(set) var recovered: [String] = []
    private(set) var luhnRuns: [String] = []
    private(set) var candidatesTried = 0

    var secretsFound: Int { secrets.count }

    /// Copies `folder` (as a backup would), then attacks the copy. `extraFiles` are added to
    /// the copy first (the positive control puts the secret there). `dump`: a PostgreSQL
    /// ledger's rows, which live in no file of the folder, attacked as one more file.
    init(copying folder: String, extraFiles: [String] = [], dump: LedgerDump? = nil) throws {
        let copy = FileManager.default.temporaryDirectory.appendingPathComponent("till-attack-\(UUID().uuidString)").path
        try FileManager.default.copyItem(atPath: folder, toPath: copy)
        defer { try? FileManager.default.removeItem(atPath: copy) }
        for file in extraFiles {
            try FileManager.default.copyItem(atPath: file, toPath: copy + "/" + (file as NSString).lastPathComponent)
        }
        // A copied -shm may not match its -wal: SQLite rebuilds it from the -wal.
        let names = try FileManager.default.contentsOfDirectory(atPath: copy).sorted()
        for name in names where name.hasSuffix("-shm") { try FileManager.default.removeItem(atPath: copy + "/" + name) }
        files = try names.filter { !$0.hasSuffix("-shm") }.map { name in
            (copy + "/" + name, [UInt8](try Data(contentsOf: URL(fileURLWithPath: copy + "/" + name))))
        } + (dump.map { [("dump of the PostgreSQL ledger", $0.bytes)] } ?? [])
        cards.formUnion(dump?.cards ?? [])
        for file in files {
            let text = String(decoding: file.bytes, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            if text.count == 64, let bytes = hexBytes(text) { secrets.append(KeyedHash(key: bytes)) }
            luhnRuns += Self.digitRuns(file.bytes).filter(Self.passesLuhn)
        }
        for file in files where file.bytes.starts(with: Array("SQLite format 3\0".utf8)) {
            cards.formUnion(try Self.storedCards(inDatabase: file.path))
        }
        for card in cards {
            if let number = search(card) { recovered.append(number) }
        }
    }

    private static func storedCards(inDatabase path: String) throws -> [StoredCard] {
        let queue = try DatabaseQueue(path: path)
        defer { try? queue.close() }
        return try queue.read { db in
            var found: [StoredCard] = []
            for table in try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'") {
                let columns = Set(try db.columns(in: table).map(\.name))
                guard columns.isSuperset(of: ["card_first6", "card_last4", "card_fingerprint"]) else { continue }
                let brand = columns.contains("card_brand") ? "COALESCE(card_brand, '')" : "''"
                let rows = try String.fetchAll(db, sql: """
                    SELECT card_first6 || ',' || card_last4 || ',' || \(brand) || ',' || card_fingerprint
                    FROM "\(table)" WHERE card_fingerprint IS NOT NULL
                    """)
                for row in rows {
                    let parts = row.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
                    if parts.count == 4 { found.append(StoredCard(first6: parts[0], last4: parts[1], brand: parts[2], fingerprint: parts[3])) }
                }
            }
            return found
        }
    }

    /// The card number behind `card`, if any secret found makes a candidate's HMAC match.
    /// The last unknown digit is solved from the Luhn check: 10^5 candidates (Amex 10^4).
    private mutating func search(_ card: StoredCard) -> String? {
        guard !secrets.isEmpty, let target = hexBytes(card.fingerprint) else { return nil }
        let length = card.brand == "amex" ? 15 : 16
        let unknown = length - 10
        let solved = 6 + unknown - 1
        let solvedIsDoubled = (length - 1 - solved) % 2 == 1
        // The digit whose Luhn contribution is n, for a doubled place.
        let undouble: [UInt8] = [0, 5, 1, 6, 2, 7, 3, 8, 4, 9]
        var digits = Array((card.first6 + String(repeating: "0", count: unknown) + card.last4).utf8)
        var limit = 1
        for _ in 1..<unknown { limit *= 10 }
        for middle in 0..<limit {
            var rest = middle
            for position in stride(from: solved - 1, through: 6, by: -1) {
                digits[position] = UInt8(0x30 + rest % 10)
                rest /= 10
            }
            digits[solved] = 0x30
            let need = (10 - Self.luhnSum(digits) % 10) % 10
            digits[solved] = 0x30 + (solvedIsDoubled ? undouble[need] : UInt8(need))
            candidatesTried += 1
            for secret in secrets where secret.matches(digits, target) {
                return String(decoding: digits, as: UTF8.self)
            }
        }
        return nil
    }

    static func passesLuhn(_ text: String) -> Bool { luhnSum(Array(text.utf8)).isMultiple(of: 10) }

    static func luhnSum(_ digits: [UInt8]) -> Int {
        var sum = 0
        var doubled = false
        var index = digits.count - 1
        while index >= 0 {
            let value = Int(digits[index]) - 0x30
            sum += doubled ? (value > 4 ? value * 2 - 9 : value * 2) : value
            doubled.toggle()
            index -= 1
        }
        return sum
    }

    /// Every run of 12 to 19 ASCII digits (a longer run is not a card number).
    static func digitRuns(_ bytes: [UInt8]) -> [String] {
        var runs: [String] = []
        var start: Int?
        for index in 0...bytes.count {
            let isDigit = index < bytes.count && (0x30...0x39).contains(bytes[index])
            if isDigit, start == nil { start = index }
            if !isDigit, let first = start {
                if (12...19).contains(index - first) { runs.append(String(decoding: bytes[first..<index], as: UTF8.self)) }
                start = nil
            }
        }
        return runs
    }
}
