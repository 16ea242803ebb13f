public import TillCore

// Wallets: the balance row and its append-only events, each with the balance after it.

extension Ledger {
    public func wallet(key: String) throws -> Wallet? {
        try SQLRow.fetchOne(db.cachedStatement(sql: "SELECT * FROM wallets WHERE key = ?"), arguments: [key])
            .map(Self.wallet)
    }

    static func wallet(_ row: SQLRow) throws -> Wallet {
        let table = "wallets"
        let key: String = try row.required("key", in: table)
        let currency = try Self.currency(row.required("currency", in: table))
        var customer: Email?
        if let customerKey: String = try row.optional("customer_key", in: table) {
            guard case .success(let email) = Email.parse(customerKey) else {
                throw LedgerCorruption("wallet \(LedgerCorruption.shown(key)): wallets.customer_key is not an email address")
            }
            customer = email
        }
        guard let wallet = Wallet.restore(
            name: try row.required("name", in: table),
            balance: Money(minorUnits: try row.required("balance", in: table), currency: currency),
            overdraftLimit: Money(minorUnits: try row.required("overdraft_limit", in: table), currency: currency),
            customer: customer)
        else { throw LedgerCorruption("wallet \(LedgerCorruption.shown(key)): wallets.name, balance or overdraft_limit break the wallet rules") }
        // Writes address the wallet by the key its name gives: it must be the stored one.
        guard wallet.key.sameBytes(key) else { throw LedgerCorruption("wallet \(LedgerCorruption.shown(key)): key and name disagree") }
        return wallet
    }

    public func insert(_ wallet: Wallet, at now: Instant) throws {
        try db.cachedStatement(sql: """
            INSERT INTO wallets (key, name, currency, balance, overdraft_limit, customer_key, created_at, updated_at)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [wallet.key, wallet.name, wallet.currency.code, wallet.balance.minorUnits,
                             wallet.overdraftLimit.minorUnits, wallet.customer?.key, now.millisecondsSinceEpoch,
                             now.millisecondsSinceEpoch])
        try appendWalletEvent(wallet, kind: "opened", amount: wallet.balance, reference: nil, at: now)
    }

    /// Stores a wallet's new balance with the event that moved it.
    public func update(_ wallet: Wallet, kind: String, amount: Money, reference: String?, at now: Instant) throws {
        try db.cachedStatement(sql: "UPDATE wallets SET balance = ?, updated_at = ? WHERE key = ?")
            .execute(arguments: [wallet.balance.minorUnits, now.millisecondsSinceEpoch, wallet.key])
        try appendWalletEvent(wallet, kind: kind, amount: amount, reference: reference, at: now)
    }

    private func appendWalletEvent(_ wallet: Wallet, kind: String, amount: Money, reference: String?, at now: Instant) throws {
        try db.cachedStatement(sql: """
            INSERT INTO wallet_events (wallet_key, kind, amount, balance_after, reference, at, operator) VALUES (?, ?, ?, ?, ?, ?, ?)
            """).execute(arguments: [
                wallet.key, kind, amount.minorUnits, wallet.balance.minorUnits, reference, now.millisecondsSinceEpoch, operatorName.text,
            ])
    }

    /// A wallet's history, newest first.
    public func walletEvents(key: String, limit: Int) throws -> [WalletEvent] {
        try SQLRow.fetchAll(db.cachedStatement(sql: """
            SELECT kind, amount, balance_after, reference, at, operator FROM wallet_events WHERE wallet_key = ?
            ORDER BY seq DESC LIMIT ?
            """), arguments: [key, limit]).map { row in
            let table = "wallet_events"
            return WalletEvent(
                kind: try row.required("kind", in: table), amount: try row.required("amount", in: table),
                balanceAfter: try row.required("balance_after", in: table), reference: try row.optional("reference", in: table),
                at: Instant(millisecondsSinceEpoch: try row.required("at", in: table)),
                operatorName: try row.required("operator", in: table))
        }
    }
}
