import Crypto
import Foundation
import Testing
import TillCore
import TillService
import TillStore

/// Issue 11, operators: a PIN is kept only as a salted, slow, keyed hash; a sign-in refusal
/// never says which part was wrong; a disabled operator cannot sign in.
@Suite struct OperatorTests {
    /// Every cell of the stored operator rows, as bytes (text as UTF-8).
    static func storedCells(_ harness: Harness) async throws -> [Data] {
        try await harness.database.read { ledger in
            try SQLRow.fetchAll(ledger.db, sql: "SELECT * FROM operators").flatMap { row in
                // PostgreSQL's table ends in `rowid`, which SQLite keeps out of `*`.
                row.columnNames.indices.filter { row.columnNames[$0] != "rowid" }.compactMap { index -> Data? in
                    switch row[index] {
                    case .blob(let bytes): Data(bytes)
                    case .text(let text): Data(text.utf8)
                    case .integer(let number): Data(String(number).utf8)
                    case .real, .null: nil
                    }
                }
            }
        }
    }

    @Test func theStoredRowHoldsNoPINAndNoCheapHashOfIt() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        _ = try ok(await harness.service.addOperator(name: "Ann", pin: "4711"))
        let cells = try await Self.storedCells(harness)
        // name_key, name, pin_scheme, pin_salt, pin_hash, created_at (disabled_at is NULL).
        #expect(cells.count == 6)
        let salt = try #require(cells.first { $0.count == 16 })
        // Every 4-digit PIN, hashed the cheap ways, against every stored value (raw and hex).
        let stored = Set(cells + cells.map { Data($0.map { String(format: "%02x", $0) }.joined().utf8) })
        var found: [String] = []
        for number in 0..<10_000 {
            let pin = String(format: "%04d", number)
            let bytes = Data(pin.utf8)
            let candidates = [
                bytes,
                Data(SHA256.hash(data: bytes)),
                Data(SHA256.hash(data: salt + bytes)),
                Data(SHA256.hash(data: bytes + salt)),
                Data(HMAC<SHA256>.authenticationCode(for: bytes, using: SymmetricKey(data: salt))),
            ]
            for candidate in candidates {
                if stored.contains(candidate) || stored.contains(Data(candidate.map { String(format: "%02x", $0) }.joined().utf8)) {
                    found.append(pin)
                }
            }
        }
        #expect(found.isEmpty, "a stored value gives the PIN away: \(found)")
        // The row does work: the right PIN signs in.
        #expect(try ok(await harness.service.verify(name: "ann", pin: "4711")).text == "Ann")
    }

    /// `till` names the work nobody signed in for: no person may take that name (in any case).
    @Test func tillIsReservedForWorkNobodySignedInFor() async throws {
        let harness = try Harness()
        for name in ["till", " TILL "] {
            guard case .failure(let rejection) = await harness.service.addOperator(name: name, pin: "4711") else {
                Issue.record("\(name) was added")
                continue
            }
            #expect(rejection.code == .invalidName)
        }
        #expect(try ok(await harness.service.operators()).isEmpty)
    }

    @Test func aWrongPINAndAnUnknownNameAreRefusedAlike() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        _ = try ok(await harness.service.addOperator(name: "Ann", pin: "4711"))
        let wrongPIN = await harness.service.verify(name: "Ann", pin: "4712")
        let unknownName = await harness.service.verify(name: "Bob", pin: "4711")
        let badPIN = await harness.service.verify(name: "Ann", pin: "47")
        for answer in [wrongPIN, unknownName, badPIN] {
            guard case .failure(let rejection) = answer else {
                Issue.record("signed in: \(answer)")
                continue
            }
            #expect(rejection == Rejection(.unauthorized))
        }
        #expect(try ok(await harness.service.verify(name: " ANN ", pin: "4711")).text == "Ann")
    }

    @Test func aDisabledOperatorCannotSignInAndNoLongerTurnsSignInOn() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        #expect(try ok(await harness.service.signInRequired()) == false)
        _ = try ok(await harness.service.addOperator(name: "Ann", pin: "4711"))
        #expect(try ok(await harness.service.signInRequired()) == true)
        let disabled = try ok(await harness.service.disableOperator(name: "ann"))
        #expect(disabled.disabled && disabled.disabledAt != nil)
        #expect(code(await harness.service.verify(name: "Ann", pin: "4711")) == .unauthorized)
        #expect(try ok(await harness.service.signInRequired()) == false)
        #expect(try ok(await harness.service.operators()).map(\.disabled) == [true])
        #expect(code(await harness.service.disableOperator(name: "Nobody")) == .notFound)
    }

    @Test func aPINIsFourToTwelveDigitsAndNeverEchoed() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        for pin in ["123", "1234567890123", "12a4", "", "１２３４"] {
            let answer = await harness.service.addOperator(name: "Ann", pin: pin)
            #expect(code(answer) == .invalidPin, "\(pin)")
            if case .failure(let rejection) = answer, !pin.isEmpty { #expect(!rejection.message.contains(pin)) }
        }
        #expect(try ok(await harness.service.operators()).isEmpty)
        _ = try ok(await harness.service.addOperator(name: "Ann", pin: "123456789012"))
        #expect(code(await harness.service.addOperator(name: "ANN", pin: "1234")) == .operatorExists)
        #expect(code(await harness.service.addOperator(name: "", pin: "1234")) == .invalidName)
    }

    /// A damaged operator row is a refusal naming the column, never a crash or a sign-in. An
    /// integer in the blob column: only SQLite's loose typing stores one.
    @Test(.sqliteOnly) func aDamagedOperatorRowIsAStorageErrorNotACrash() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        _ = try ok(await harness.service.addOperator(name: "Ann", pin: "4711"))
        try await harness.execute("UPDATE operators SET pin_hash = 7")
        guard case .failure(let rejection) = await harness.service.verify(name: "Ann", pin: "4711") else {
            Issue.record("signed in on a damaged row")
            return
        }
        #expect(rejection.code == .storageError)
        #expect(rejection.message.contains("operators.pin_hash"), "\(rejection.message)")
        try await harness.execute("UPDATE operators SET pin_hash = ?, name = 'Bob'", [Data([0])])
        #expect(code(await harness.service.operators()) == .storageError)
    }

    /// A row renamed behind Till's back (its name no longer its key) is refused on either backend.
    @Test func anOperatorRowRenamedBehindTillsBackIsAStorageError() async throws {
        let harness = try Harness()
        defer { harness.remove() }
        _ = try ok(await harness.service.addOperator(name: "Ann", pin: "4711"))
        try await harness.execute("UPDATE operators SET pin_hash = ?, name = 'Bob'", [Data([0])])
        #expect(code(await harness.service.operators()) == .storageError)
        guard case .failure(let rejection) = await harness.service.verify(name: "Ann", pin: "4711") else {
            Issue.record("signed in on a damaged row")
            return
        }
        #expect(rejection.code == .storageError)
        #expect(rejection.message.contains("operators.name_key"), "\(rejection.message)")
    }
}
