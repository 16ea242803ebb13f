import TillCore

/// Emails, idempotency keys and wallet names. Input: the text, read as each of the three.
///
/// Properties: nothing traps and every refusal has a safe message; canonical forms are
/// idempotent (canonical(canonical(x)) == canonical(x)): an accepted email's address parses to
/// itself and its `key` parses to an email with the same key; an accepted key's value parses to
/// the same key; an accepted wallet name validates to itself and `Wallet.key(for:)` is stable.
enum CanonicalTextFuzz {
    static func run(_ input: [UInt8]) throws {
        var bytes = FuzzBytes(input)
        let text = bytes.restText()

        if let email = try accepted(Email.parse(text), "Email.parse") {
            try require(Email.parse(email.address) == .success(email), "email \(email.address.debugDescription) does not parse to itself")
            // The matching key of an address must itself be an address with the same key.
            if let again = try accepted(Email.parse(email.key), "Email.parse(key)") {
                try require(again.key == email.key, "email key \(email.key.debugDescription) is not stable: \(again.key.debugDescription)")
            } else {
                throw FuzzFailure("the key \(email.key.debugDescription) of email \(email.address.debugDescription) is not an email")
            }
        }

        if let key = try accepted(IdempotencyKey.parse(text), "IdempotencyKey.parse") {
            try require(IdempotencyKey.parse(key.value) == .success(key), "key \(key.value.debugDescription) does not parse to itself")
        }

        let walletKey = Wallet.key(for: text)
        try require(Wallet.key(for: walletKey) == walletKey, "wallet key of \(text.debugDescription) is not stable")
        if let name = try accepted(Wallet.validName(text), "Wallet.validName") {
            try require(Wallet.validName(name) == .success(name), "wallet name \(name.debugDescription) does not validate to itself")
            try require(Wallet.key(for: name) == walletKey, "a valid name's wallet key differs from its text's")
        }
    }
}
