import Foundation
import TillCore

/// Emails, idempotency keys and wallet names. Input: the text, read as each of the three, and
/// also in its NFD form (decomposed by Foundation, an implementation independent of the core's).
///
/// Properties, comparing scalars (Swift's `==` on strings ignores normalization, SQLite does
/// not): nothing traps and every refusal has a safe message; canonical forms are idempotent
/// (canonical(canonical(x)) == canonical(x)) for `canonical`, `caseFolded`, an email's address
/// and key, a key's value, a wallet name and `Wallet.key(for:)`; and they do not depend on how
/// the text was typed: its NFD form gives the same scalars.
enum CanonicalTextFuzz {
    static func run(_ input: [UInt8]) throws {
        var bytes = FuzzBytes(input)
        let text = bytes.restText()
        let decomposed = text.decomposedStringWithCanonicalMapping

        try same(text.canonical.canonical, text.canonical, "canonical(canonical(\(text.debugDescription)))")
        try same(text.caseFolded.caseFolded, text.caseFolded, "caseFolded(caseFolded(\(text.debugDescription)))")
        try same(decomposed.canonical, text.canonical, "canonical of the NFD of \(text.debugDescription)")
        try same(decomposed.caseFolded, text.caseFolded, "caseFolded of the NFD of \(text.debugDescription)")

        let email = try accepted(Email.parse(text), "Email.parse")
        if let email {
            try same(try accepted(Email.parse(email.address), "Email.parse(address)")?.address, email.address,
                     "email \(email.address.debugDescription) parsed again")
            try same(Email.key(for: text), email.key, "Email.key(for: \(text.debugDescription))")
            // The matching key of an address is itself an address with the same key.
            try same(try accepted(Email.parse(email.key), "Email.parse(key)")?.key, email.key,
                     "the key of email \(email.address.debugDescription)")
            try require(Email.sameCustomer(text, decomposed), "\(text.debugDescription) and its NFD are two customers")
        }
        try same(try accepted(Email.parse(decomposed), "Email.parse(NFD)")?.address, email?.address,
                 "email of the NFD of \(text.debugDescription)")

        let key = try accepted(IdempotencyKey.parse(text), "IdempotencyKey.parse")
        if let key {
            try same(try accepted(IdempotencyKey.parse(key.value), "IdempotencyKey.parse(value)")?.value, key.value,
                     "key \(key.value.debugDescription) parsed again")
        }
        try same(try accepted(IdempotencyKey.parse(decomposed), "IdempotencyKey.parse(NFD)")?.value, key?.value,
                 "key of the NFD of \(text.debugDescription)")

        let walletKey = Wallet.key(for: text)
        try same(Wallet.key(for: walletKey), walletKey, "Wallet.key(for: Wallet.key(for: \(text.debugDescription)))")
        try same(Wallet.key(for: decomposed), walletKey, "wallet key of the NFD of \(text.debugDescription)")
        let name = try accepted(Wallet.validName(text), "Wallet.validName")
        if let name {
            try same(try accepted(Wallet.validName(name), "Wallet.validName(name)"), name, "wallet name \(name.debugDescription) again")
            try same(Wallet.key(for: name), walletKey, "wallet key of the valid name \(name.debugDescription)")
        }
        try same(try accepted(Wallet.validName(decomposed), "Wallet.validName(NFD)"), name,
                 "wallet name of the NFD of \(text.debugDescription)")
    }

    /// Equal scalar for scalar (nil only equals nil).
    private static func same(_ actual: String?, _ expected: String?, _ what: @autoclosure () -> String) throws {
        guard actual.map({ Array($0.unicodeScalars) }) != expected.map({ Array($0.unicodeScalars) }) else { return }
        throw FuzzFailure("\(what()): \(String(describing: actual?.debugDescription)) is not \(String(describing: expected?.debugDescription))")
    }
}
