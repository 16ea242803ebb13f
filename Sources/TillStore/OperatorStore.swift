import Crypto
import CryptoExtras
public import Foundation
public import TillCore

/// The people who may sign in at the POS. A row keeps the name as given, its key (the name
/// case-folded: one person whatever the case), when it was made and whether it was disabled,
/// and the PIN only as a salted, slow, keyed hash (`PINHasher`): never the PIN, never a cheap
/// hash of it. Operators are never deleted: events name them for good.
enum OperatorSchema {
    static func migrate(_ db: any SQLConnection) throws {
        try db.execute(sql: """
            CREATE TABLE operators (
                name_key TEXT PRIMARY KEY NOT NULL,
                name TEXT NOT NULL,
                pin_scheme TEXT NOT NULL,
                pin_salt BLOB NOT NULL,
                pin_hash BLOB NOT NULL,
                created_at INTEGER NOT NULL,
                disabled_at INTEGER
            );
            """)
    }
}

/// A PIN as the ledger keeps it: the scheme that made it, a random salt and the hash.
public struct PINHash: Sendable, Equatable {
    public let scheme: String
    public let salt: Data
    public let hash: Data
}

/// An operator as the ledger holds it.
public struct StoredOperator: Sendable, Equatable {
    public let name: OperatorName
    public let createdAt: Instant
    /// Set once the operator was disabled: they can no longer sign in.
    public let disabledAt: Instant?
    public let pin: PINHash
}

/// Hashes PINs with scrypt (N = 2^14, r = 8, p = 1: 16 MiB per try, the cost scrypt's author gives
/// for interactive logins), a 16-byte random salt per operator, then HMAC-SHA256 under a pepper derived from the
/// ledger's secret, which lives outside the ledger's folder (see `CardFingerprinter`). A 4-digit
/// PIN has only 10^4 values, so a slow hash alone would not keep a copy of the ledger from
/// giving it up in minutes; without the secret, a copy holds nothing a PIN can be tested against.
struct PINHasher: Sendable {
    /// Names the parameters, so a later change of cost is recognised row by row.
    static let scheme = "scrypt-n16384-r8-p1+hmac-sha256-pepper-v1"
    private let pepper: SymmetricKey

    init(fingerprinter: CardFingerprinter) {
        // A subkey of the ledger's secret for this one purpose: an HMAC of a label no other
        // use shares (the card check value uses another), so it cannot be derived from the ledger.
        pepper = SymmetricKey(data: Data(fingerprinter.fingerprint("till operator PIN pepper v1").utf8))
    }

    func hash(_ pin: OperatorPIN) throws -> PINHash {
        var generator = SystemRandomNumberGenerator()
        let salt = Data((0..<16).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
        return PINHash(scheme: Self.scheme, salt: salt, hash: try derive(pin.digits, salt: salt))
    }

    /// Whether `pin` is the one `stored` was made from, comparing in constant time.
    func matches(_ pin: OperatorPIN, _ stored: PINHash) throws -> Bool {
        guard stored.scheme == Self.scheme else {
            throw LedgerCorruption("the ledger is damaged: operators.pin_scheme names a scheme this till does not know")
        }
        return Self.constantTimeEqual(try derive(pin.digits, salt: stored.salt), stored.hash)
    }

    /// The same work as a real check, for a name that does not exist: a refusal takes as long
    /// whether the name or the PIN was wrong.
    func wasteTime(_ pin: OperatorPIN) {
        _ = try? derive(pin.digits, salt: Data(repeating: 0, count: 16))
    }

    private func derive(_ digits: String, salt: Data) throws -> Data {
        let slow = try KDF.Scrypt.deriveKey(
            from: Data(digits.utf8), salt: salt, outputByteCount: 32, rounds: 1 << 14, blockSize: 8, parallelism: 1)
        let keyed = slow.withUnsafeBytes { HMAC<SHA256>.authenticationCode(for: Data($0), using: pepper) }
        return Data(keyed)
    }

    static func constantTimeEqual(_ a: Data, _ b: Data) -> Bool {
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for (x, y) in zip(a, b) { difference |= x ^ y }
        return difference == 0
    }
}

extension TillDatabase {
    /// A new salted hash of `pin` (slow: call it outside a transaction).
    public func hashPIN(_ pin: OperatorPIN) throws -> PINHash {
        try PINHasher(fingerprinter: fingerprinter).hash(pin)
    }

    /// Whether `pin` matches `stored` (slow, constant-time comparison).
    public func pinMatches(_ pin: OperatorPIN, _ stored: PINHash) throws -> Bool {
        try PINHasher(fingerprinter: fingerprinter).matches(pin, stored)
    }

    /// As long as `pinMatches`, for a sign-in whose name is unknown.
    public func pinCheckForNobody(_ pin: OperatorPIN) {
        PINHasher(fingerprinter: fingerprinter).wasteTime(pin)
    }
}

extension Ledger {
    public func insertOperator(_ name: OperatorName, pin: PINHash, at now: Instant) throws -> StoredOperator {
        try db.execute(
            sql: """
                INSERT INTO operators (name_key, name, pin_scheme, pin_salt, pin_hash, created_at, disabled_at)
                VALUES (?, ?, ?, ?, ?, ?, NULL)
                """,
            arguments: [name.key, name.text, pin.scheme, pin.salt, pin.hash, now.millisecondsSinceEpoch])
        return StoredOperator(name: name, createdAt: now, disabledAt: nil, pin: pin)
    }

    /// The operator whose name folds to `key`, enabled or not.
    public func storedOperator(key: String) throws -> StoredOperator? {
        try SQLRow.fetchOne(db, sql: "SELECT * FROM operators WHERE name_key = ?", arguments: [key]).map(Self.storedOperator)
    }

    /// Every operator, by name.
    public func operators() throws -> [StoredOperator] {
        try SQLRow.fetchAll(db, sql: "SELECT * FROM operators ORDER BY name_key").map(Self.storedOperator)
    }

    /// Whether anyone may sign in: then the POS asks who is at the counter.
    public func hasEnabledOperators() throws -> Bool {
        try Bool.fetchOne(db, sql: "SELECT EXISTS (SELECT 1 FROM operators WHERE disabled_at IS NULL)") ?? false
    }

    /// Disables the operator (a second time changes nothing). False if there is none.
    public func disableOperator(key: String, at now: Instant) throws -> Bool {
        guard try storedOperator(key: key) != nil else { return false }
        try db.execute(
            sql: "UPDATE operators SET disabled_at = ? WHERE name_key = ? AND disabled_at IS NULL",
            arguments: [now.millisecondsSinceEpoch, key])
        return true
    }

    private static func storedOperator(_ row: SQLRow) throws -> StoredOperator {
        let text: String = try row.required("name", in: "operators")
        guard let name = OperatorName.restore(text) else {
            throw LedgerCorruption("the ledger is damaged: operators.name holds \(LedgerCorruption.shown(text)), not an operator name")
        }
        let key: String = try row.required("name_key", in: "operators")
        guard key == name.key else {
            throw LedgerCorruption("the ledger is damaged: operators.name_key does not match the name \(LedgerCorruption.shown(text))")
        }
        let disabled: Int64? = try row.optional("disabled_at", in: "operators")
        return StoredOperator(
            name: name,
            createdAt: Instant(millisecondsSinceEpoch: try row.required("created_at", in: "operators")),
            disabledAt: disabled.map(Instant.init(millisecondsSinceEpoch:)),
            pin: PINHash(
                scheme: try row.required("pin_scheme", in: "operators"),
                salt: try row.required("pin_salt", in: "operators"),
                hash: try row.required("pin_hash", in: "operators")))
    }
}
